/**
 * OF1.3 instructions and actions → ovs-actions(7) text as `ovs-ofctl -O OpenFlow13` prints
 * it (lib/ofp-actions.c): `meter:N` first, then the apply actions, `clear_actions`,
 * `write_actions(...)`, `write_metadata:V[/M]`, `goto_table:N`; reserved output ports by
 * name (`CONTROLLER:max_len`, `LOCAL`, `NORMAL`, ...); set-field as `set_field:V->name`
 * with Open vSwitch's field names. No instruction at all prints as `drop`.
 * Every form printed here is accepted back by parseInstructions.
 */
import { OFPP_CONTROLLER, OFPP_MAX, type Action, type Instruction } from '../../pipeline/types.js';
import { formatScalar, ovsFieldName } from './format-value.js';
import { formatPort } from './ports.js';

const hex = (n: number | bigint) => '0x' + n.toString(16);
const hex4 = (n: number) => '0x' + n.toString(16).padStart(4, '0');

function formatAction(a: Action): string {
  switch (a.type) {
    case 'output':
      if (a.port === OFPP_CONTROLLER) return `CONTROLLER:${a.maxLen}`;
      return a.port < OFPP_MAX ? `output:${a.port}` : formatPort(a.port);
    case 'set_field': return `set_field:${formatScalar(a.field.field, a.field.value)}->${ovsFieldName(a.field.field)}`;
    case 'push_vlan': case 'push_mpls': case 'pop_mpls': case 'push_pbb': return `${a.type}:${hex4(a.ethertype)}`;
    case 'pop_vlan': case 'dec_mpls_ttl': case 'copy_ttl_in': case 'copy_ttl_out': case 'pop_pbb': return a.type;
    case 'dec_nw_ttl': return 'dec_ttl';
    case 'set_nw_ttl': return `mod_nw_ttl:${a.ttl}`;
    case 'set_mpls_ttl': return `set_mpls_ttl(${a.ttl})`;
    case 'set_queue': return `set_queue:${a.queueId}`;
    case 'group': return `group:${a.groupId}`;
    case 'meter': return `meter:${a.meterId}`;
    // OF1.5 copy-field, in Open vSwitch's `move` form (bit ranges counted from the LSB)
    case 'copy_field':
      return `move:${ovsFieldName(a.src)}[${a.srcOffset}..${a.srcOffset + a.nBits - 1}]->${ovsFieldName(a.dst)}[${a.dstOffset}..${a.dstOffset + a.nBits - 1}]`;
    case 'experimenter': return `experimenter(${hex(a.experimenter)})`;
  }
}

export function formatActionList(actions: readonly Action[]): string {
  return actions.map(formatAction).join(',');
}

const ORDER: Readonly<Record<Instruction['type'], number>> = {
  meter: 0, apply_actions: 1, clear_actions: 2, write_actions: 3, write_metadata: 4, goto_table: 5, experimenter: 6,
};

export function formatInstructions(instructions: readonly Instruction[]): string {
  const parts: string[] = [];
  for (const i of [...instructions].sort((a, b) => ORDER[a.type] - ORDER[b.type])) {
    switch (i.type) {
      case 'meter': parts.push(`meter:${i.meterId}`); break;
      case 'apply_actions': if (i.actions.length) parts.push(formatActionList(i.actions)); break;
      case 'clear_actions': parts.push('clear_actions'); break;
      case 'write_actions': parts.push(`write_actions(${formatActionList(i.actions)})`); break;
      case 'write_metadata':
        parts.push(`write_metadata:${hex(i.metadata)}${i.mask === 0xffffffffffffffffn ? '' : '/' + hex(i.mask)}`); break;
      case 'goto_table': parts.push(`goto_table:${i.tableId}`); break;
      case 'experimenter': parts.push(`experimenter(${hex(i.experimenter)})`); break;
    }
  }
  return parts.length ? parts.join(',') : 'drop';
}
