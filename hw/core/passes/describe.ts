import type { IrModule, IrNode } from '../ir.ts';

/** How a node is named in messages, in the words of the design. */
export function describeNode(m: Pick<IrModule, 'instances'>, n: IrNode): string {
  switch (n.kind) {
    case 'lit':
      return `literal ${n.signed ? BigInt.asIntN(n.width, n.value) : n.value}`;
    case 'instIn':
    case 'instOut':
      return `${n.kind === 'instIn' ? 'input' : 'output'} '${n.port}' of instance '${m.instances[n.instance]!.name}'`;
    default: {
      const what = n.kind === 'op' ? `'${n.op}' result` : n.kind === 'case' ? `'case' result` : n.kind;
      return n.name ? `${what} '${n.name}'` : `${what} (${n.loc.exact})`;
    }
  }
}
