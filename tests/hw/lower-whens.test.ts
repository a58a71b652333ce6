import { describe, expect, test } from 'vitest';
import { evaluateNode } from '../../hw/core/evaluate.ts';
import type { IrBlock, IrNode, IrRecordedModule, NodeId } from '../../hw/core/ir.ts';
import { UNRESOLVED } from '../../hw/core/ir.ts';
import { lowerWhens } from '../../hw/core/passes/lower-whens.ts';
import { SourceLoc } from '../../hw/core/source.ts';

// The when-lowering pass on its own: a recorded module written by hand, with
// no builder and no Signal, lowers to drivers.

const loc = SourceLoc.NONE;
const common = <N extends string | undefined>(id: NodeId, width: number, name: N) => ({ id, width, signed: false, name, loc });

/** Inputs c (Bool), a and b (UInt(4)); an output y (UInt(4)) driven by `body`. */
function recorded(body: IrBlock, defaults: ReadonlyMap<NodeId, NodeId> = new Map()): IrRecordedModule {
  const nodes: IrNode[] = [
    { kind: 'input', ...common(0, 1, 'c') },
    { kind: 'input', ...common(1, 4, 'a') },
    { kind: 'input', ...common(2, 4, 'b') },
    { kind: 'output', ...common(3, 4, 'y'), driver: UNRESOLVED },
    { kind: 'lit', ...common(4, 4, undefined), value: 9n, enumLabel: undefined },
  ];
  return {
    kind: 'recorded',
    displayName: 'Hand',
    definedAt: loc,
    spec: {},
    usesClock: false,
    usesReset: false,
    ports: [
      { name: 'c', dir: 'in', width: 1, signed: false, node: 0 },
      { name: 'a', dir: 'in', width: 4, signed: false, node: 1 },
      { name: 'b', dir: 'in', width: 4, signed: false, node: 2 },
      { name: 'y', dir: 'out', width: 4, signed: false, node: 3 },
    ],
    nodes,
    wires: [],
    regs: [],
    memories: [],
    instances: [],
    declaredNames: new Set(['c', 'a', 'b', 'y']),
    body,
    defaults,
    dontCares: new Set(),
    enables: new Map(),
  };
}

const connect = (target: NodeId, value: NodeId) => ({ kind: 'connect', target, value, loc }) as const;
const whenC = (then: IrBlock, otherwise: IrBlock = []) =>
  ({ kind: 'when', arms: [{ cond: 0, body: then, loc, label: 'when()', values: [] }], otherwise, hasOtherwise: otherwise.length > 0, loc, switchOn: undefined }) as const;

describe('when lowering is an IR pass', () => {
  test('a when/otherwise becomes a mux appended after the recorded nodes, and the output reads it', () => {
    const { module, problems } = lowerWhens(recorded([whenC([connect(3, 1)], [connect(3, 2)])]));
    expect(problems).toEqual([]);
    expect(module.kind).toBe('module');
    expect(module.nodes[5]).toMatchObject({ kind: 'op', op: 'mux', args: [0, 1, 2], synthetic: true });
    expect(module.nodes[3]).toMatchObject({ kind: 'output', driver: 5 });
    const y = (c: bigint): bigint => evaluateNode(module, 3, new Map([[0, c], [1, 3n], [2, 12n]]));
    expect([y(1n), y(0n)]).toEqual([3n, 12n]);
  });

  test('the last connection on a path wins, and a default fills the paths that do not drive', () => {
    const { module } = lowerWhens(recorded([connect(3, 2), whenC([connect(3, 1)])]));
    expect(module.nodes[3]).toMatchObject({ driver: 5 });
    const withDefault = lowerWhens(recorded([whenC([connect(3, 1)])], new Map([[3, 4]]))).module;
    expect(evaluateNode(withDefault, 3, new Map([[0, 0n], [1, 3n]]))).toBe(9n);
  });

  test('a path that drives nothing is one problem naming the target and the when', () => {
    const { module, problems } = lowerWhens(recorded([whenC([connect(3, 1)])]));
    expect(problems.map((p) => p.detail)).toEqual([
      "output 'y' is not driven on every path (it would be a latch): nothing drives it when the condition of when() at <unknown> is false; add an otherwise() branch or give it a default",
    ]);
    // The checks after it still see a complete module.
    expect(module.nodes[3]).toMatchObject({ kind: 'output' });
    expect((module.nodes[3] as { driver: NodeId }).driver).toBeGreaterThanOrEqual(0);
  });
});
