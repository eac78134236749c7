/**
 * ovs-ofctl's flow, group and meter syntax for the `sluice` CLI, in one import.
 * Parsers return values or a ParseError (never throw); formatters print what
 * ovs-ofctl -O OpenFlow13 prints, in a form the parsers read back.
 */
export { isParseError, type ParseError } from './errors.js';
export { parseFlow, type FlowCommand } from './parse-flow.js';
export { parseMatch } from './parse-match.js';
export { parseGroup, type GroupCommand } from './parse-group.js';
export { parseMeter, type MeterCommand } from './parse-meter.js';
export { formatFlow, formatFlowMod, formatDuration } from './format-flow.js';
export { formatMatch } from './format-match.js';
export { formatInstructions, formatActionList } from './format-actions.js';
export { formatGroup, formatMeter } from './format-group-meter.js';
