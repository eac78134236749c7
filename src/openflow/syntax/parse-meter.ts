/**
 * Meters in ovs-ofctl(8) "Meter Syntax" → an OF1.3 MeterMod (OF1.3.5 §7.3.4.4):
 * `meter=N,[kbps|pktps],[burst],[stats],bands=type=drop|dscp_remark,rate=R[,burst_size=B]
 *  [,prec_level=P],type=...` — each `type=` starts a new band. Separators may be commas or
 * blanks, so dump-meters output (`meter=1 kbps bands=\ntype=drop rate=1000`) parses back.
 * Without kbps/pktps the meter is kbps, as in ovs-ofctl.
 */
import {
  OFPM_ALL, OFPMC_ADD, OFPMC_DELETE, OFPMC_MODIFY, OFPMF_BURST, OFPMF_KBPS, OFPMF_PKTPS, OFPMF_STATS,
  type MeterBand, type MeterMod,
} from '../../pipeline/types.js';
import { parseError, unknownName, type ParseError } from './errors.js';
import { keyValue, splitTopLevel } from './tokens.js';
import { parseUint } from './values.js';

export type MeterCommand = 'add' | 'modify' | 'delete';
const COMMANDS: Readonly<Record<MeterCommand, number>> = { add: OFPMC_ADD, modify: OFPMC_MODIFY, delete: OFPMC_DELETE };
const FLAGS: ReadonlyMap<string, number> = new Map([['kbps', OFPMF_KBPS], ['pktps', OFPMF_PKTPS], ['burst', OFPMF_BURST], ['stats', OFPMF_STATS]]);

interface BandDraft { type: 'drop' | 'dscp_remark'; rate: number; burstSize: number; precLevel: number; column: number }

export function parseMeter(text: string, opts: { readonly command: MeterCommand }): MeterMod | ParseError {
  const toks = splitTopLevel(text, 1);
  if (!Array.isArray(toks)) return parseError('unbalanced parentheses', text, toks.unbalanced);
  let meterId: number | undefined;
  let flags = 0;
  let inBands = false;
  const bands: BandDraft[] = [];
  for (const tok of toks) {
    let kv = keyValue(tok);
    if (kv.key === 'bands') {
      inBands = true;
      if (!kv.value) continue;
      kv = keyValue({ text: kv.value, column: kv.valueColumn });
    }
    const bad = () => parseError(`bad value for ${kv.key}: "${kv.value ?? ''}"`, kv.value ?? kv.key, kv.valueColumn);
    if (!inBands) {
      const flag = FLAGS.get(kv.key);
      if (flag !== undefined && kv.value === undefined) { flags |= flag; continue; }
      if (kv.key === 'meter') {
        const v = kv.value?.toLowerCase() === 'all' ? BigInt(OFPM_ALL) : parseUint(kv.value ?? '', 32);
        if (v === undefined) return bad();
        meterId = Number(v);
        continue;
      }
      return unknownName('meter keyword', kv.key, kv.column, ['meter', 'bands', ...FLAGS.keys()]);
    }
    if (kv.key === 'type') {
      if (kv.value !== 'drop' && kv.value !== 'dscp_remark') return unknownName('band type', kv.value ?? '', kv.valueColumn, ['drop', 'dscp_remark']);
      bands.push({ type: kv.value, rate: -1, burstSize: 0, precLevel: 0, column: kv.column });
      continue;
    }
    const band = bands[bands.length - 1];
    if (!band) return parseError(`a band starts with type=: "${tok.text}"`, tok.text, tok.column);
    const v = parseUint(kv.value ?? '', kv.key === 'prec_level' ? 8 : 32);
    if (kv.key === 'rate' && v !== undefined) band.rate = Number(v);
    else if (kv.key === 'burst_size' && v !== undefined) band.burstSize = Number(v);
    else if (kv.key === 'prec_level' && v !== undefined && band.type === 'dscp_remark') band.precLevel = Number(v);
    else if (['rate', 'burst_size', 'prec_level'].includes(kv.key)) return bad();
    else return unknownName('band keyword', kv.key, kv.column, ['type', 'rate', 'burst_size', 'prec_level']);
  }
  if (meterId === undefined) return parseError('missing meter=', text, 1);
  const command = COMMANDS[opts.command];
  if (command !== OFPMC_DELETE && bands.length === 0) return parseError('a meter needs bands=type=...,rate=N', text, text.length + 1);
  if (!(flags & (OFPMF_KBPS | OFPMF_PKTPS))) flags |= OFPMF_KBPS;
  const out: MeterBand[] = [];
  for (const b of bands) {
    if (b.rate < 0) return parseError(`band type=${b.type} needs rate=`, b.type, b.column);
    out.push(b.type === 'drop'
      ? { type: 'drop', rate: b.rate, burstSize: b.burstSize }
      : { type: 'dscp_remark', rate: b.rate, burstSize: b.burstSize, precLevel: b.precLevel });
  }
  return { command, flags, meterId, bands: out };
}
