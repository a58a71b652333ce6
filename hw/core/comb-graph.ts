import { HwError } from './errors.ts';
import type { ModuleBuilder } from './builder.ts';
import type { Signal } from './signal.ts';

// The combinational dependency graph of one elaborated module: registers,
// memory read data and inputs are sources; a child instance contributes the
// input-to-output paths of its own module.

function combDeps(s: Signal): Signal[] {
  switch (s.kind) {
    case 'op':
      return s.args;
    case 'output':
    case 'wire':
    case 'instIn':
      return s.driver ? [s.driver] : [];
    case 'instOut': {
      const inst = s.instance!;
      const ins = inst.module.combPaths.get(s.portName!) ?? new Set<string>();
      return [...ins].map((n) => inst.ports.get(n)!);
    }
    default:
      return [];
  }
}

function allCombNodes(m: ModuleBuilder): Signal[] {
  const out: Signal[] = [...m.nodes, ...m.wires];
  for (const p of m.ports) out.push(p.signal);
  for (const inst of m.instances) out.push(...inst.ports.values());
  return out;
}

/** Finds a cycle of combinational dependencies and reports it with every signal's source line. */
export function checkCombinationalLoops(m: ModuleBuilder): void {
  const state = new Map<Signal, 1 | 2>(); // 1: on the DFS stack, 2: done
  for (const start of allCombNodes(m)) {
    if (state.has(start)) continue;
    const stack: { node: Signal; deps: Signal[]; i: number }[] = [{ node: start, deps: combDeps(start), i: 0 }];
    state.set(start, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.i >= top.deps.length) {
        state.set(top.node, 2);
        stack.pop();
        continue;
      }
      const next = top.deps[top.i++]!;
      const st = state.get(next);
      if (st === 2 || next.owner !== m) continue;
      if (st === 1) reportLoop(m, stack.map((f) => f.node), next);
      state.set(next, 1);
      stack.push({ node: next, deps: combDeps(next), i: 0 });
    }
  }
}

function reportLoop(m: ModuleBuilder, path: Signal[], back: Signal): never {
  const cycle = path.slice(path.indexOf(back));
  // The DFS walks from a value to what it depends on; a loop reads more
  // naturally in the direction the data flows.
  cycle.reverse();
  const lines = cycle.map((s) => {
    if (s.synthetic) return `when() at ${s.loc.short} (selects a value)`;
    if (s.kind === 'instOut' || s.kind === 'instIn') {
      return `port '${s.portName}' of instance '${s.instance!.name}' (${s.instance!.loc.short})`;
    }
    return `${s.describe()} at ${s.loc.short}`;
  });
  const named = cycle.find((s) => s.name !== undefined && !s.synthetic) ?? cycle[0]!;
  // Raised after the body has run: an operator without a location cannot take the error's own site.
  const head = named.loc.isOperator && !named.loc.known ? undefined : named.loc;
  throw new HwError(
    `combinational loop in module '${m.displayName}' through ${cycle.length} signal${cycle.length > 1 ? 's' : ''}:`,
    head,
    [...lines.map((l) => `-> ${l}`), `-> back to the first; break the loop with a register`],
  );
}

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
 * For each output port, the input ports it depends on combinationally: what
 * parents need to see loops through instances. Sets of inputs are bitsets,
 * shared between nodes whenever a node adds no input to its operands', so a
 * flat module of many operations and inputs costs little memory.
 */
export function computeCombPaths(m: ModuleBuilder): void {
  const inputs = m.ports.filter((p) => p.dir === 'in');
  const words = Math.max(1, Math.ceil(inputs.length / 32));
  const empty: InputSet = new Uint32Array(words);
  const memo = new Map<Signal, InputSet>();
  inputs.forEach((p, i) => {
    const set = new Uint32Array(words);
    set[i >>> 5] = 1 << (i & 31);
    memo.set(p.signal, set);
  });
  const reach = (root: Signal): InputSet => {
    // Iterative post-order walk: deep adder trees and mux chains would
    // overflow the JavaScript stack with recursion.
    const work: { node: Signal; expanded: boolean }[] = [{ node: root, expanded: false }];
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      if (memo.has(top.node)) {
        work.pop();
        continue;
      }
      const deps = combDeps(top.node);
      if (!top.expanded) {
        top.expanded = true;
        for (const d of deps) if (!memo.has(d)) work.push({ node: d, expanded: false });
        continue;
      }
      work.pop();
      let set = empty;
      for (const d of deps) set = set === empty ? memo.get(d)! : union(set, memo.get(d)!);
      memo.set(top.node, set);
    }
    return memo.get(root)!;
  };
  for (const p of m.ports) {
    if (p.dir !== 'out') continue;
    const set = reach(p.signal);
    const names = new Set<string>();
    inputs.forEach((q, i) => {
      if ((set[i >>> 5]! >>> (i & 31)) & 1) names.add(q.name);
    });
    m.combPaths.set(p.name, names);
  }
}
