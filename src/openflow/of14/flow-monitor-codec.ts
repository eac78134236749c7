/**
 * OFPMP_FLOW_MONITOR bodies (OF1.4.1 §7.3.5.19): a request is a list of
 * ofp_flow_monitor_request (24 bytes + the match's growth), a reply a list of flow
 * updates, each starting with its length and event: full (32 bytes + match + the
 * instructions), abbreviated (8 bytes: the xid), paused / resumed (8 bytes).
 *
 * Invariants: decoders consume exactly their reader and never throw; a request entry
 * shorter than its fixed part is OFPBRC_BAD_LEN, a bad match is the match's own error;
 * an update whose length disagrees with its event is OFPBRC_BAD_LEN, an unknown event
 * OFPBRC_BAD_LEN too (a reply is only ever decoded by tests and peers reading us).
 */
import { OFPBRC_BAD_LEN, OFPET_BAD_REQUEST, isOFError, ofError, type OFError } from '../../pipeline/errors.js';
import { encodeInstructions, decodeInstructions } from '../instructions-codec.js';
import type { FlowMonitor, FlowUpdate } from '../message-types.js';
import { decodeMatch, encodeMatch } from '../oxm-codec.js';
import type { Reader, Writer } from '../wire.js';
import {
  OFP14_FLOW_MONITOR_REQUEST_LEN, OFP14_FLOW_UPDATE_ABBREV_LEN, OFP14_FLOW_UPDATE_FULL_LEN, OFPFME_ABBREV,
  OFPFME_MODIFIED, OFPFME_PAUSED, OFPFME_RESUMED,
} from './constants.js';
import { OFP14_FLOW_MONITOR_REQUEST as FMR, OFP14_FLOW_UPDATE_ABBREV as UA, OFP14_FLOW_UPDATE_FULL as UF } from './layouts.js';

const badLen = (msg: string): OFError => ofError(OFPET_BAD_REQUEST, OFPBRC_BAD_LEN, msg);

export function encodeFlowMonitors(w: Writer, list: readonly FlowMonitor[]): void {
  for (const m of list) {
    const at = w.pos;
    w.zeros(FMR.MATCH[0]);
    w.u32At(at, FMR.MONITOR_ID, m.monitorId); w.u32At(at, FMR.OUT_PORT, m.outPort); w.u32At(at, FMR.OUT_GROUP, m.outGroup);
    w.u16At(at, FMR.FLAGS, m.flags); w.u8At(at, FMR.TABLE_ID, m.tableId); w.u8At(at, FMR.COMMAND, m.command);
    encodeMatch(w, m.match);
  }
}

export function decodeFlowMonitors(r: Reader): FlowMonitor[] | OFError {
  const out: FlowMonitor[] = [];
  while (r.left > 0) {
    if (r.left < OFP14_FLOW_MONITOR_REQUEST_LEN) return badLen(`flow monitor request: ${r.left} bytes left, ${OFP14_FLOW_MONITOR_REQUEST_LEN} needed`);
    const at = r.pos;
    r.pos = at + FMR.MATCH[0];
    const match = decodeMatch(r);
    if (isOFError(match)) return match;
    out.push({
      monitorId: r.u32At(at, FMR.MONITOR_ID), outPort: r.u32At(at, FMR.OUT_PORT), outGroup: r.u32At(at, FMR.OUT_GROUP),
      flags: r.u16At(at, FMR.FLAGS), tableId: r.u8At(at, FMR.TABLE_ID), command: r.u8At(at, FMR.COMMAND), match,
    });
  }
  return out;
}

export function encodeFlowUpdates(w: Writer, list: readonly FlowUpdate[]): void {
  for (const u of list) {
    const at = w.pos;
    if (u.event === OFPFME_ABBREV) {
      w.zeros(OFP14_FLOW_UPDATE_ABBREV_LEN);
      w.u16At(at, UA.LENGTH, OFP14_FLOW_UPDATE_ABBREV_LEN); w.u16At(at, UA.EVENT, u.event); w.u32At(at, UA.XID, u.xid);
      continue;
    }
    if (!('tableId' in u)) { // paused, resumed
      w.zeros(OFP14_FLOW_UPDATE_ABBREV_LEN);
      w.u16At(at, UA.LENGTH, OFP14_FLOW_UPDATE_ABBREV_LEN); w.u16At(at, UA.EVENT, u.event);
      continue;
    }
    w.zeros(UF.MATCH[0]);
    w.u16At(at, UF.EVENT, u.event); w.u8At(at, UF.TABLE_ID, u.tableId); w.u8At(at, UF.REASON, u.reason);
    w.u16At(at, UF.IDLE_TIMEOUT, u.idleTimeout); w.u16At(at, UF.HARD_TIMEOUT, u.hardTimeout);
    w.u16At(at, UF.PRIORITY, u.priority); w.u64At(at, UF.COOKIE, u.cookie);
    encodeMatch(w, u.match);
    encodeInstructions(w, u.instructions);
    w.patch16(at, w.pos - at);
  }
}

export function decodeFlowUpdates(r: Reader): FlowUpdate[] | OFError {
  const out: FlowUpdate[] = [];
  while (r.left > 0) {
    if (r.left < 4) return badLen('flow update header truncated');
    const at = r.pos;
    const length = r.u16At(at, UF.LENGTH); const event = r.u16At(at, UF.EVENT);
    if (length < 4 || length > r.left) return badLen(`flow update length ${length}`);
    if (event === OFPFME_ABBREV || event === OFPFME_PAUSED || event === OFPFME_RESUMED) {
      if (length !== OFP14_FLOW_UPDATE_ABBREV_LEN) return badLen(`flow update event ${event} of length ${length}`);
      out.push(event === OFPFME_ABBREV ? { event, xid: r.u32At(at, UA.XID) } : { event });
      r.skip(length);
      continue;
    }
    if (event > OFPFME_MODIFIED) return badLen(`flow update event ${event}`);
    if (length < OFP14_FLOW_UPDATE_FULL_LEN) return badLen(`full flow update of length ${length}`);
    const sub = r.sub(length);
    sub.pos = at + UF.MATCH[0];
    const match = decodeMatch(sub);
    if (isOFError(match)) return match;
    const instructions = decodeInstructions(sub);
    if (isOFError(instructions)) return instructions;
    out.push({
      event: event as 0 | 1 | 2 | 3, tableId: r.u8At(at, UF.TABLE_ID), reason: r.u8At(at, UF.REASON),
      idleTimeout: r.u16At(at, UF.IDLE_TIMEOUT), hardTimeout: r.u16At(at, UF.HARD_TIMEOUT), priority: r.u16At(at, UF.PRIORITY),
      cookie: r.u64At(at, UF.COOKIE), match, instructions,
    });
  }
  return out;
}
