import { HwError } from '../errors.ts';
import type { IrModule, IrNode, NodeId } from '../ir.ts';
import { combDeps, isCombinational } from './comb-graph.ts';
import { describeNode } from './describe.ts';

/**
 * A cycle of combinational dependencies, reported with every signal's source
 * line in the direction the data flows; undefined when there is none.
 */
export function findCombinationalLoop(m: IrModule): HwError | undefined {
  const state = new Uint8Array(m.nodes.length); // 1: on the DFS stack, 2: done
  for (const start of m.nodes) {
    if (state[start.id] !== 0 || !isCombinational(start)) continue;
    const stack: { node: IrNode; deps: readonly NodeId[]; i: number }[] = [{ node: start, deps: combDeps(m, start), i: 0 }];
    state[start.id] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.i >= top.deps.length) {
        state[top.node.id] = 2;
        stack.pop();
        continue;
      }
      const next = m.nodes[top.deps[top.i++]!]!;
      const st = state[next.id];
      if (st === 2 || !isCombinational(next)) continue;
      if (st === 1) return loopError(m, stack.map((f) => f.node), next);
      state[next.id] = 1;
      stack.push({ node: next, deps: combDeps(m, next), i: 0 });
    }
  }
  return undefined;
}

function loopError(m: IrModule, path: IrNode[], back: IrNode): HwError {
  const cycle = path.slice(path.indexOf(back));
  // The search walks from a value to what it depends on; a loop reads more
  // naturally in the direction the data flows.
  cycle.reverse();
  const lines = cycle.map((n) => {
    if (n.kind === 'op' && n.synthetic) return `when() at ${n.loc.short} (selects a value)`;
    if (n.kind === 'case') return `switchOn() at ${n.loc.short} (selects a value)`;
    if (n.kind === 'instOut' || n.kind === 'instIn') {
      const inst = m.instances[n.instance]!;
      return `port '${n.port}' of instance '${inst.name}' (${inst.loc.short})`;
    }
    return `${describeNode(m, n)} at ${n.loc.exact}`;
  });
  const named = cycle.find((n) => n.name !== undefined && !(n.kind === 'op' && n.synthetic)) ?? cycle[0]!;
  // Raised after the body has run: an operator without a location cannot take the error's own site.
  const head = named.loc.isOperator && !named.loc.known ? undefined : named.loc;
  return new HwError(
    `combinational loop in module '${m.displayName}' through ${cycle.length} signal${cycle.length > 1 ? 's' : ''}:`,
    head,
    [...lines.map((l) => `-> ${l}`), `-> back to the first; break the loop with a register`],
  );
}
