import type { IrModule } from '../ir.ts';
import { combDeps } from './comb-graph.ts';

type InputSet = Uint32Array;

/** The union of two sets of inputs, sharing storage whenever one already holds the other. */
function union(a: InputSet, b: InputSet): InputSet {
  if (a === b) return a;
  let out: InputSet | null = null;
  for (let i = 0; i < a.length; i++) {
    const merged = a[i]! | b[i]!;
    if (merged !== a[i] && out === null) out = a.slice();
    if (out !== null) out[i] = merged;
  }
  return out ?? a;
}

/**
 * The module with, for each output port, the input ports it depends on
 * combinationally: what parents need to see loops through instances. Sets of
 * inputs are bitsets, shared between nodes whenever a node adds no input to
 * its operands', so a flat module of many operations and inputs costs little.
 */
export function withCombPaths(m: IrModule): IrModule {
  const inputs = m.ports.filter((p) => p.dir === 'in');
  const words = Math.max(1, Math.ceil(inputs.length / 32));
  const empty: InputSet = new Uint32Array(words);
  const memo: (InputSet | undefined)[] = new Array(m.nodes.length);
  inputs.forEach((p, i) => {
    const set = new Uint32Array(words);
    set[i >>> 5] = 1 << (i & 31);
    memo[p.node] = set;
  });
  const reach = (root: number): InputSet => {
    // Iterative post-order walk: deep adder trees and mux chains would
    // overflow the JavaScript stack with recursion.
    const work: { node: number; expanded: boolean }[] = [{ node: root, expanded: false }];
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      if (memo[top.node] !== undefined) {
        work.pop();
        continue;
      }
      const deps = combDeps(m, m.nodes[top.node]!);
      if (!top.expanded) {
        top.expanded = true;
        for (const d of deps) if (memo[d] === undefined) work.push({ node: d, expanded: false });
        continue;
      }
      work.pop();
      let set = empty;
      for (const d of deps) set = set === empty ? memo[d]! : union(set, memo[d]!);
      memo[top.node] = set;
    }
    return memo[root]!;
  };
  const combPaths = new Map<string, ReadonlySet<string>>();
  for (const p of m.ports) {
    if (p.dir !== 'out') continue;
    const set = reach(p.node);
    const names = new Set<string>();
    inputs.forEach((q, i) => {
      if ((set[i >>> 5]! >>> (i & 31)) & 1) names.add(q.name);
    });
    combPaths.set(p.name, names);
  }
  return { ...m, combPaths };
}
