import type { IrModule, IrNode, NodeId } from '../ir.ts';
import { operandsOf } from '../ir.ts';

// The combinational dependency graph of one module: registers, memory read
// data and inputs are sources; a child instance contributes the
// input-to-output paths of its own module.

/** What a node depends on combinationally. */
export function combDeps(m: IrModule, n: IrNode): readonly NodeId[] {
  switch (n.kind) {
    case 'op':
    case 'case':
    case 'output':
    case 'wire':
    case 'instIn':
      return operandsOf(n);
    case 'instOut': {
      const inst = m.instances[n.instance]!;
      const ins = inst.module.combPaths.get(n.port);
      const out: NodeId[] = [];
      if (ins) for (const name of ins) out.push(inst.ports.get(name)!);
      return out;
    }
    default:
      return [];
  }
}

/** Nodes that can take part in a combinational path. */
export function isCombinational(n: IrNode): boolean {
  return n.kind === 'op' || n.kind === 'case' || n.kind === 'wire' || n.kind === 'input' || n.kind === 'output' || n.kind === 'instIn' || n.kind === 'instOut';
}
