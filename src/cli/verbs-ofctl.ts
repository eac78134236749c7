/**
 * The ovs-ofctl-like verbs of `sluice`: flows, groups, meters, port and table statistics,
 * spoken as OpenFlow 1.3 to the bridge's mgmt socket (RUNDIR/BRIDGE.mgmt) or to an explicit
 * unix:PATH / tcp:IP[:PORT] target — the same socket `ovs-ofctl -O OpenFlow13` can use.
 * Syntax and output are ovs-ofctl's (src/openflow/syntax), so habits and scripts carry over.
 *
 * Exit codes: 0 done; 1 the switch refused or could not be reached; 2 bad syntax (found
 * before connecting).
 */
import type { Command } from 'commander';
import { withRundir } from './cli-common.js';
import { addFlow, addFlows, delFlows, dumpFlows, modFlows } from './ofctl/flow-verbs.js';
import { delGroups, delMeters, dumpGroups, dumpMeters, groupMod, meterMod } from './ofctl/group-meter-verbs.js';
import { dumpPorts, dumpPortsDesc, dumpTables } from './ofctl/stats-verbs.js';

const SWITCH_HELP = `
BRIDGE is a bridge name (socket RUNDIR/BRIDGE.mgmt), or unix:PATH, or tcp:IP[:PORT].
Flow, group and meter syntax are ovs-ofctl's (man ovs-ofctl), e.g.
  sluice add-flow br0 "table=0,priority=100,ip,nw_dst=10.0.0.0/8,actions=output:2"
  sluice add-group br0 "group_id=1,type=select,bucket=output:1,bucket=output:2"
  sluice add-meter br0 "meter=1,kbps,bands=type=drop,rate=1000"`;

export function registerOfctlVerbs(program: Command): void {
  const verb = (spec: string, description: string): Command =>
    withRundir(program.command(spec).description(description))
      .option('-t, --timeout <secs>', 'give up after this many seconds (default 10)')
      .addHelpText('after', SWITCH_HELP)
      .exitOverride();

  verb('add-flow <bridge> <flow>', 'add a flow').action(addFlow);
  verb('add-flows <bridge> <file>', "add the flows of FILE, one per line ('-' = stdin; # comments); nothing is added if any line is bad")
    .option('--bundle', 'send them as one atomic bundle: if the switch refuses one, none is added').action(addFlows);
  verb('mod-flows <bridge> <flow>', 'change the actions of the flows that match')
    .option('--strict', 'only the flow with exactly this match and priority')
    .option('--bundle', 'send it as an atomic bundle').action(modFlows);
  verb('del-flows <bridge> [match]', 'delete the flows that match (all flows without MATCH)')
    .option('--strict', 'only the flow with exactly this match and priority')
    .option('--bundle', 'send it as an atomic bundle').action(delFlows);
  verb('dump-flows <bridge> [match]', 'print the flows (those that match MATCH, if given)')
    .option('--no-stats', 'leave out durations and counters (and cookie, table when 0)').action(dumpFlows);
  verb('dump-ports <bridge> [port]', 'print port counters (of PORT, if given)').action(dumpPorts);
  verb('dump-ports-desc <bridge>', 'print the ports: number, name, address, config, state, speed').action(dumpPortsDesc);
  verb('dump-tables <bridge>', 'print table counters').action(dumpTables);
  verb('add-group <bridge> <group>', 'add a group').action((b: string, g: string, o) => groupMod('add', b, g, o));
  verb('mod-group <bridge> <group>', 'replace the buckets of a group').action((b: string, g: string, o) => groupMod('modify', b, g, o));
  verb('del-groups <bridge> [group]', 'delete a group (group_id=N), or all groups').action(delGroups);
  verb('dump-groups <bridge>', 'print the groups').action(dumpGroups);
  verb('add-meter <bridge> <meter>', 'add a meter').action((b: string, m: string, o) => meterMod('add', b, m, o));
  verb('mod-meter <bridge> <meter>', 'replace the bands of a meter').action((b: string, m: string, o) => meterMod('modify', b, m, o));
  verb('del-meters <bridge> [meter]', 'delete a meter (meter=N), or all meters').action(delMeters);
  verb('dump-meters <bridge>', 'print the meters').action(dumpMeters);
}
