/** The fuzz targets by name (test/fuzz/target-*.ts). */
import type { FuzzTarget } from './runner.js';

export const TARGETS = ['openflow', 'openflow10', 'openflow14', 'openflow15', 'frames', 'flow-syntax', 'db'] as const;
export type TargetName = (typeof TARGETS)[number];

interface TargetOptions {
  /** openflow: 'memory' (an in-memory stream, fast) or 'tcp' (a loopback socket pair). */
  transport?: 'memory' | 'tcp';
}

export async function makeTarget(name: TargetName, o: TargetOptions = {}): Promise<FuzzTarget> {
  switch (name) {
    case 'openflow': {
      if (o.transport === 'tcp') {
        const { OpenFlowTcpTarget } = await import('./target-openflow-tcp.js');
        return OpenFlowTcpTarget.create();
      }
      const { OpenFlowTarget } = await import('./target-openflow.js');
      return new OpenFlowTarget();
    }
    case 'openflow10': {
      const { OpenFlow10Target } = await import('./target-openflow10.js');
      return new OpenFlow10Target();
    }
    case 'openflow14': {
      const { OpenFlowTarget } = await import('./target-openflow.js');
      return new OpenFlowTarget(5);
    }
    case 'openflow15': {
      const { OpenFlowTarget } = await import('./target-openflow.js');
      return new OpenFlowTarget(6);
    }
    case 'frames': {
      const { FramesTarget } = await import('./target-frames.js');
      return new FramesTarget();
    }
    case 'flow-syntax': {
      const { FlowSyntaxTarget } = await import('./target-flow-syntax.js');
      return new FlowSyntaxTarget();
    }
    case 'db': {
      const { DbTarget } = await import('./target-db.js');
      return new DbTarget();
    }
  }
}
