/**
 * Why the datapath dropped a frame: one named counter per reason, per bridge (as VPP names
 * its node errors). Every path that drops a frame counts exactly one reason for it, at the
 * moment it decides; a frame that ends with no output and no counted reason is counted
 * once as `table_miss` or `no_output` (Datapath.execute). Frames a port could not send
 * (socket full, MTU) are the port's tx_dropped/tx_errors, not here.
 *
 * The hot path increments `Float64Array` slots by the D_* index (no allocation, no string);
 * DROP_REASONS gives each index its name for `sluice show` and /metrics.
 */
export const DROP_REASONS = [
  'runt', // shorter than an Ethernet header
  'port_down', // the ingress port has OFPPC_NO_RECV or OFPPC_PORT_DOWN
  'table_miss', // missed a table with no table-miss entry (OF1.3.5 §5.4), output nowhere
  'no_output', // its rules' actions (or NORMAL's flood) sent it nowhere
  'meter', // a meter band dropped it
  'no_port', // output to a port number the bridge does not have
  'port_no_fwd', // output to a port with OFPPC_NO_FWD or OFPPC_PORT_DOWN
  'in_port', // output to its own ingress port by number (§4.5: only OFPP_IN_PORT sends it back)
  'no_packet_in', // output to CONTROLLER from a port with OFPPC_NO_PACKET_IN
  'no_controller', // output to CONTROLLER with no controller connection that wants it
  'packet_in_limit', // output to CONTROLLER over the packet-in rate limit
  'depth', // groups nested deeper than the executor's guard
  'normal_vlan', // NORMAL: the ingress port does not carry the frame's VLAN
  'normal_in_port', // NORMAL: the destination was learned on the ingress port
  'normal_no_fwd', // NORMAL: the learned port cannot take it (down, NO_FWD, VLAN, split horizon)
] as const;
export type DropReason = (typeof DROP_REASONS)[number];

export const D_RUNT = 0;
export const D_PORT_DOWN = 1;
export const D_TABLE_MISS = 2;
export const D_NO_OUTPUT = 3;
export const D_METER = 4;
export const D_NO_PORT = 5;
export const D_PORT_NO_FWD = 6;
export const D_IN_PORT = 7;
export const D_NO_PACKET_IN = 8;
export const D_NO_CONTROLLER = 9;
export const D_PACKET_IN_LIMIT = 10;
export const D_DEPTH = 11;
export const D_NORMAL_VLAN = 12;
export const D_NORMAL_IN_PORT = 13;
export const D_NORMAL_NO_FWD = 14;

/** The counters by name (a snapshot). */
export function dropRecord(n: Float64Array): Record<DropReason, number> {
  const out = {} as Record<DropReason, number>;
  DROP_REASONS.forEach((r, i) => (out[r] = n[i]!));
  return out;
}
