/**
 * The NORMAL output port (OF1.3.5 §4.5: "traditional non-OpenFlow pipeline"): a VLAN-aware
 * MAC learning switch, as Open vSwitch's NORMAL action.
 *
 *   ingress VLAN   access port: untagged or priority-tagged (VID 0) frames join `tag`,
 *                  other tagged frames are dropped; trunk: VID must be carried, untagged
 *                  frames are VLAN 0 (native), dropped when an explicit trunk list
 *                  lacks 0 (and never sent out such a trunk). A frame from no port
 *                  (packet-out from the controller) keeps its own VLAN.
 *   learn          (VLAN, eth_src) → in_port, group source addresses never.
 *   forward        a known unicast destination on another live port that carries the
 *                  VLAN: there only; known on the ingress port: dropped; else flooded to
 *                  every live port that carries the VLAN except the ingress port and
 *                  ports with OFPPC_NO_FWD / OFPPC_NO_FLOOD.
 *   egress tag     access: untagged; trunk: tagged with the VLAN unless VLAN 0.
 *   split horizon  a frame that came in on a tunnel port never goes out of another tunnel
 *                  port, flooded or learned: it came out of the overlay, whose sender
 *                  reached every remote itself (head-end replication), as a VXLAN VTEP
 *                  (the Linux vxlan device: one bridge port for all remotes) behaves. Without it, a full mesh
 *                  of three or more hosts loops every broadcast forever. (Open vSwitch's
 *                  NORMAL floods tunnel to tunnel; a hub that relays between spokes
 *                  takes explicit rules here.)
 *
 * Invariants
 *  - Learning happens on the slow path; a cached flow keeps a reference to its source
 *    entry (`LearnRef`) and only refreshes its time on hits. A new or moved address
 *    changes the table's version, which is part of the datapath generation, so every
 *    cached decision made before it is a miss again.
 *  - Nothing is allocated per packet.
 */
import { OFPVID_PRESENT, W_ETH_DST_HI, W_ETH_MIX, W_ETH_SRC_LO, vlanVidOf } from '../packet/flow-key.js';
import { OFPPC_NO_FLOOD, OFPPC_NO_FWD } from '../pipeline/types.js';
import { isGroupMac, type MacEntry, type MacLearningTable } from './mac-learning.js';
import type { BridgePort } from './bridge-port.js';
import type { WorkFrame } from './run-ops.js';
import { D_NORMAL_IN_PORT, D_NORMAL_NO_FWD, D_NORMAL_VLAN } from './drops.js';

/** Where a flow's learned source entry is kept (the flow cache entry). */
export interface LearnRef {
  macRef: MacEntry | null;
}

export interface NormalContext {
  readonly mac: MacLearningTable;
  readonly portList: readonly BridgePort[];
  port(ofport: number): BridgePort | undefined;
  /** Queues `f` on `p` with its outer tag set to `vid` (-1 = untagged). */
  stageVlan(p: BridgePort, f: WorkFrame, vid: number): void;
  /** NORMAL dropped the frame for `reason` (drops.ts D_NORMAL_*). */
  drop(reason: number): void;
}

const EMPTY_SLOT: LearnRef = { macRef: null };

/** The VLAN a frame with outer tag `vid` (-1 = untagged) belongs to on its ingress port
 * `inRec`, or -1 when that port refuses it. A frame from no port (packet-out) keeps its own. */
function ingressVlan(inRec: BridgePort | undefined, vid: number): number {
  return inRec ? inRec.ingressVlan(vid) : vid < 0 ? 0 : vid;
}

/** The outer VLAN id of the key, -1 when untagged. */
function outerVid(w: Uint32Array): number {
  const tv = vlanVidOf(w);
  return (tv & OFPVID_PRESENT) !== 0 ? tv & 0xfff : -1;
}

const dstMac = (w: Uint32Array): number => w[W_ETH_DST_HI]! * 65536 + (w[W_ETH_MIX]! >>> 16);

/** A learned destination's port can take the frame. */
const forwardsTo = (p: BridgePort | undefined, vlan: number): p is BridgePort =>
  p !== undefined && p.live && (p.config & OFPPC_NO_FWD) === 0 && p.carries(vlan);

/** `p` is one of the ports a flood in `vlan` from `inPort` reaches. */
const floodsTo = (p: BridgePort, inPort: number, vlan: number): boolean =>
  p.ofport !== inPort && p.live && (p.config & (OFPPC_NO_FWD | OFPPC_NO_FLOOD)) === 0 && p.carries(vlan);

/** Split horizon: nothing from a tunnel port goes back into the overlay. */
const horizon = (inRec: BridgePort | undefined, p: BridgePort): boolean => !(inRec?.tunnel === true && p.tunnel);

/** Runs NORMAL for frame `f` that came in on `inPort`. `hit`: a cache hit (refresh only). */
export function normalForward(ctx: NormalContext, f: WorkFrame, inPort: number, ref: LearnRef | null, hit: boolean, now: number): void {
  const w = f.key.words;
  const inRec = ctx.port(inPort);
  const vlan = ingressVlan(inRec, outerVid(w));
  if (vlan < 0) {
    ctx.drop(D_NORMAL_VLAN);
    return;
  }
  if (inRec) {
    const slot = ref ?? EMPTY_SLOT;
    if (hit && slot.macRef !== null) slot.macRef.seenAt = now;
    else if (!hit) slot.macRef = ctx.mac.learn(vlan, (w[W_ETH_MIX]! & 0xffff) * 2 ** 32 + w[W_ETH_SRC_LO]!, inPort, now);
  }
  const dst = dstMac(w);
  const to = isGroupMac(dst) ? -1 : ctx.mac.lookup(vlan, dst, now);
  if (to >= 0) {
    if (to === inPort) {
      ctx.drop(D_NORMAL_IN_PORT);
      return;
    }
    const p = ctx.port(to);
    if (forwardsTo(p, vlan) && horizon(inRec, p)) ctx.stageVlan(p, f, p.egressVid(vlan));
    else ctx.drop(D_NORMAL_NO_FWD);
    return;
  }
  const ports = ctx.portList;
  for (let i = 0; i < ports.length; i++) {
    const p = ports[i]!;
    if (floodsTo(p, inPort, vlan) && horizon(inRec, p)) ctx.stageVlan(p, f, p.egressVid(vlan));
  }
}

/** What NORMAL would do with a packet, for `sluice trace` (a read: nothing is learned). */
export interface NormalPlan {
  /** The VLAN the packet belongs to on its in_port, or -1 when the in_port refuses its tag. */
  readonly vlan: number;
  readonly dst: number;
  /** 'flood' (unknown or group destination), 'learned' (one port), 'in_port' (learned on
   * the ingress port: dropped), 'refused' (tag not carried by the in_port: dropped). */
  readonly kind: 'flood' | 'learned' | 'in_port' | 'refused';
  /** Ports the packet would be sent to, with the VLAN id each adds (-1 = untagged). */
  readonly out: readonly { readonly ofport: number; readonly vid: number }[];
}

/** The same decisions as normalForward, without learning or sending. */
export function normalPlan(ctx: NormalContext, words: Uint32Array, inPort: number, now: number): NormalPlan {
  const dst = dstMac(words);
  const inRec = ctx.port(inPort);
  const vlan = ingressVlan(inRec, outerVid(words));
  if (vlan < 0) return { vlan, dst, kind: 'refused', out: [] };
  const to = isGroupMac(dst) ? -1 : ctx.mac.lookup(vlan, dst, now);
  if (to === inPort) return { vlan, dst, kind: 'in_port', out: [] };
  if (to >= 0) {
    const p = ctx.port(to);
    return { vlan, dst, kind: 'learned', out: forwardsTo(p, vlan) && horizon(inRec, p) ? [{ ofport: p.ofport, vid: p.egressVid(vlan) }] : [] };
  }
  const out = ctx.portList.filter((p) => floodsTo(p, inPort, vlan) && horizon(inRec, p)).map((p) => ({ ofport: p.ofport, vid: p.egressVid(vlan) }));
  return { vlan, dst, kind: 'flood', out };
}
