/**
 * Port numbers in ovs-ofctl syntax: a decimal/hex number or one of the reserved names of
 * OF1.3.5 §7.2.1 (IN_PORT, TABLE, NORMAL, FLOOD, ALL, CONTROLLER, LOCAL, ANY), case-insensitive
 * on input, upper case on output as ovs-ofctl prints them.
 */
import {
  OFPP_ALL, OFPP_ANY, OFPP_CONTROLLER, OFPP_FLOOD, OFPP_IN_PORT, OFPP_LOCAL, OFPP_NORMAL, OFPP_TABLE,
} from '../../pipeline/types.js';
import { parseUint } from './values.js';

const PORT_NAMES: ReadonlyMap<string, number> = new Map([
  ['IN_PORT', OFPP_IN_PORT], ['TABLE', OFPP_TABLE], ['NORMAL', OFPP_NORMAL], ['FLOOD', OFPP_FLOOD],
  ['ALL', OFPP_ALL], ['CONTROLLER', OFPP_CONTROLLER], ['LOCAL', OFPP_LOCAL], ['ANY', OFPP_ANY],
  ['NONE', OFPP_ANY],
]);

const NAME_OF = new Map([...PORT_NAMES].filter(([n]) => n !== 'NONE').map(([n, v]) => [v, n]));

export function parsePort(text: string): number | undefined {
  const named = PORT_NAMES.get(text.toUpperCase());
  if (named !== undefined) return named;
  const v = parseUint(text, 32);
  return v === undefined ? undefined : Number(v);
}

export function formatPort(port: number): string {
  return NAME_OF.get(port) ?? String(port);
}
