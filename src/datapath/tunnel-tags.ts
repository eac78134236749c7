/**
 * The datapath's tunnel metadata, per frame: read from a tunnel port's receive batch into
 * the flow key at ingress, and written beside a frame queued to a tunnel port at egress
 * (FrameBatch.tun, TUN_STRIDE words a frame; the port's encapsulation reads it).
 */
import { W_ETH_DST_HI, W_ETH_MIX, W_ETH_SRC_LO, W_IP, W_L4, W_NW_DST, W_NW_SRC, W_TUNNEL_HI, W_TUNNEL_LO, W_TUN_DST, setTunnelMeta, type FlowKey } from '../packet/flow-key.js';
import { TUN_STRIDE } from '../ports/port.js';
import type { BridgePort } from './bridge-port.js';

/** Ingress from a tunnel port: the outer packet's metadata into the key (FrameBatch.tun). */
export function setTunnelFromBatch(k: FlowKey, tun: Uint32Array, i: number): void {
  const t = i * TUN_STRIDE;
  setTunnelMeta(k, tun[t]!, tun[t + 1]!, tun[t + 2]!, tun[t + 3]!);
}

/** Egress to a tunnel port: the packet's tunnel_id and tun_dst at this output (set_field
 * may have changed them), a hash of its flow (UDP source port, NVGRE FlowID) and its IP
 * TOS (tos=inherit), recorded beside the queued frame (FrameBatch.tun). */
export function tagTunnel(p: BridgePort, w: Uint32Array): void {
  let h = Math.imul(w[W_ETH_DST_HI]! ^ w[W_ETH_MIX]!, 0x9e3779b1) ^ w[W_ETH_SRC_LO]!;
  h = Math.imul(h ^ w[W_NW_SRC]!, 0x85ebca6b) ^ w[W_NW_DST]!;
  h = Math.imul(h ^ w[W_L4]!, 0xc2b2ae35) ^ (w[W_IP]! & 0x00ff0000);
  h ^= h >>> 15;
  p.tx.tagLast(w[W_TUNNEL_HI]!, w[W_TUNNEL_LO]!, w[W_TUN_DST]!, ((h & 0xffffff) << 8 | w[W_IP]! >>> 24) >>> 0);
}
