/**
 * The daemon's control socket (`RUNDIR/sluice.ctl`, a unix stream socket): how the `sluice`
 * verbs that change the daemon (add-br, add-port, set-controller, trace, ...) talk to it.
 * OpenFlow verbs (add-flow, dump-flows, ...) do not use it: they speak OpenFlow to
 * `RUNDIR/BRIDGE.mgmt`, like ovs-ofctl.
 *
 * One request per connection, one JSON line each way:
 *   client → daemon   {"cmd":"add-br","args":{"name":"br0","dpid":"0xa"}}\n
 *   daemon → client   {"ok":true,"result":...}\n        or   {"ok":false,"error":"one line"}\n
 * then the daemon closes the connection.
 *
 * Invariants
 *  - A request larger than MAX_REQUEST_BYTES, a line that is not JSON, an unknown command or
 *    a handler that throws gives {"ok":false,...}; the daemon never crashes on its socket.
 *  - Error messages are written for the operator: they name what is wrong and, where there
 *    is one, the way out.
 */
export const CTL_SOCKET = 'sluice.ctl';
export const MAX_REQUEST_BYTES = 1 << 20;

export interface CtlRequest {
  cmd: string;
  args?: Record<string, unknown>;
}

export type CtlResponse = { ok: true; result: unknown } | { ok: false; error: string };
