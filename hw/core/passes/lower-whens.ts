import { HwError } from '../errors.ts';
import type { IrBlock, IrModule, IrNode, IrRecordedModule, IrWhen, IrWhenArm, NodeId } from '../ir.ts';
import type { SourceLoc } from '../source.ts';
import { describeNode } from './describe.ts';

/** Why a target has no value on some path. */
interface Missing {
  readonly missing: string;
}
/** A path where the value does not matter (a memory address while not accessing it). */
const DONT_CARE = { dontCare: true } as const;
/** Value of a target on one path through the when-blocks: a node, or why there is none. */
type PathValue = NodeId | Missing | typeof DONT_CARE;

const isNode = (v: PathValue): v is NodeId => typeof v === 'number';
const isMissing = (v: PathValue): v is Missing => typeof v === 'object' && 'missing' in v;
const isDontCare = (v: PathValue): v is typeof DONT_CARE => v === DONT_CARE;

/** The lowered module, and every target left without a driver on some path (each reads as zero so that later checks still run). */
export interface LoweredWhens {
  readonly module: IrModule;
  readonly problems: HwError[];
}

/**
 * Lowers a recorded module's `when` structure to drivers: each target
 * (output, wire, register, child input) takes the value its last connection
 * gives on every path, through a mux per `when` arm that changes it
 * (`_when_<n>` in the Verilog) or one n-way case node per switchOn. A register
 * with an enable holds while the enable is low. New nodes follow the
 * recorded ones, in the order the statements are lowered.
 */
export function lowerWhens(m: IrRecordedModule): LoweredWhens {
  return new WhenLowering(m).run();
}

/** The changes made by the blocks enclosing a statement, innermost first. */
interface Scope {
  readonly changes: Map<NodeId, PathValue>;
  readonly outer: Scope | null;
}

class WhenLowering {
  private readonly nodes: IrNode[];

  constructor(private readonly m: IrRecordedModule) {
    this.nodes = m.nodes.slice();
  }

  run(): LoweredWhens {
    const m = this.m;
    const problems: HwError[] = [];
    const changes = this.resolveBlock(m.body, null);
    const drivers = new Map<NodeId, NodeId>();
    let zeroes: Map<number, NodeId> | undefined;
    for (const t of this.targets()) {
      const v = changes.has(t) ? changes.get(t)! : this.baseValue(t);
      if (isNode(v)) {
        drivers.set(t, v);
        continue;
      }
      const n = this.nodes[t]!;
      if (isDontCare(v)) {
        drivers.set(t, this.literal(0n, n.width, n.signed, n.loc));
        continue;
      }
      // Only after an error: a stand-in, so that the loop check sees the rest of the module.
      zeroes ??= new Map();
      let zero = zeroes.get(n.width);
      if (zero === undefined) zeroes.set(n.width, (zero = this.literal(0n, n.width, false, m.definedAt)));
      drivers.set(t, zero);
      problems.push(this.undriven(n, v));
    }
    for (const [r, enable] of m.enables) {
      const next = drivers.get(r)!;
      if (next !== r) drivers.set(r, this.mux(enable, next, r, this.nodes[r]!.loc));
    }
    for (const [t, d] of drivers) this.nodes[t] = withDriver(this.nodes[t]!, d);
    const module: IrModule = {
      kind: 'module',
      displayName: m.displayName,
      definedAt: m.definedAt,
      spec: m.spec,
      usesClock: m.usesClock,
      usesReset: m.usesReset,
      ports: m.ports,
      nodes: this.nodes,
      wires: m.wires,
      regs: m.regs,
      memories: m.memories,
      instances: m.instances,
      declaredNames: m.declaredNames,
      combPaths: new Map(),
    };
    return { module, problems };
  }

  private undriven(n: IrNode, v: Missing): HwError {
    const inst = n.kind === 'instIn' ? this.m.instances[n.instance]! : undefined;
    const what = n.kind === 'instIn' ? `input '${n.port}' of instance '${inst!.name}' (module '${inst!.module.displayName}')` : describeNode(this.m, n);
    const where = inst ? inst.loc : n.loc;
    if (v.missing === 'never') return new HwError(`${what} is never driven in module '${this.m.displayName}'`, where);
    return new HwError(
      `${what} is not driven on every path (it would be a latch): nothing drives it ${v.missing}; add an otherwise() branch or give it a default`,
      where,
    );
  }

  /** Output ports, wires, registers and child inputs, in the order their problems are reported. */
  private targets(): NodeId[] {
    const m = this.m;
    const out: NodeId[] = [];
    for (const p of m.ports) if (p.dir === 'out') out.push(p.node);
    for (const w of m.wires) out.push(w);
    for (const r of m.regs) out.push(r);
    for (const inst of m.instances) for (const id of inst.ports.values()) if (this.nodes[id]!.kind === 'instIn') out.push(id);
    return out;
  }

  private baseValue(t: NodeId): PathValue {
    if (this.nodes[t]!.kind === 'reg') return t;
    if (this.m.dontCares.has(t)) return DONT_CARE;
    return this.m.defaults.get(t) ?? { missing: 'never' };
  }

  /** The value of target `t` on the path through `scope` (null: outside every when()). */
  private valueIn(scope: Scope | null, t: NodeId): PathValue {
    for (let s = scope; s !== null; s = s.outer) if (s.changes.has(t)) return s.changes.get(t)!;
    return this.baseValue(t);
  }

  /**
   * The value of every target a block changes. Recursion follows the nesting
   * of when() bodies in the source, never the length of a chain.
   */
  private resolveBlock(block: IrBlock, outer: Scope | null): Map<NodeId, PathValue> {
    const changes = new Map<NodeId, PathValue>();
    const cur: Scope = { changes, outer };
    for (const stmt of block) {
      if (stmt.kind === 'connect') {
        changes.set(stmt.target, stmt.value);
        continue;
      }
      const armChanges = stmt.arms.map((arm) => this.resolveBlock(arm.body, cur));
      const elseChanges = this.resolveBlock(stmt.otherwise, cur);
      const merged =
        stmt.switchOn !== undefined
          ? this.mergeSwitch(stmt, stmt.switchOn, armChanges, elseChanges, cur)
          : this.mergeChain(stmt, armChanges, elseChanges, cur);
      for (const [t, v] of merged) changes.set(t, v);
    }
    return changes;
  }

  /** A priority chain: the first arm whose condition holds wins; muxes from the last arm outwards. */
  private mergeChain(stmt: IrWhen, armChanges: Map<NodeId, PathValue>[], elseChanges: Map<NodeId, PathValue>, cur: Scope): Map<NodeId, PathValue> {
    let acc = elseChanges;
    for (let i = stmt.arms.length - 1; i >= 0; i--) {
      const arm = stmt.arms[i]!;
      const thenCh = armChanges[i]!;
      const next = new Map<NodeId, PathValue>();
      for (const t of thenCh.keys()) this.mergeTarget(next, t, arm, thenCh, acc, cur);
      for (const t of acc.keys()) this.mergeTarget(next, t, arm, thenCh, acc, cur);
      acc = next;
    }
    return acc;
  }

  /** Target `t` after one arm of a chain: the arm's value if its condition holds, else the rest of the chain's. */
  private mergeTarget(next: Map<NodeId, PathValue>, t: NodeId, arm: IrWhenArm, thenCh: Map<NodeId, PathValue>, acc: Map<NodeId, PathValue>, cur: Scope): void {
    if (next.has(t)) return;
    const a = thenCh.has(t) ? thenCh.get(t)! : this.valueIn(cur, t);
    const b = acc.has(t) ? acc.get(t)! : this.valueIn(cur, t);
    next.set(t, this.mergePaths(arm, a, b));
  }

  private mergePaths(arm: IrWhenArm, a: PathValue, b: PathValue): PathValue {
    if (a === b) return a;
    // Where one branch does not care, the other's value serves both: no mux.
    if (isDontCare(a)) return b;
    if (isDontCare(b)) return a;
    if (isMissing(a)) return { missing: a.missing === 'never' ? `when the condition of ${arm.label} at ${arm.loc.short} is true` : a.missing };
    if (isMissing(b)) return { missing: b.missing === 'never' ? `when the condition of ${arm.label} at ${arm.loc.short} is false` : b.missing };
    return this.mux(arm.cond, a, b, arm.loc);
  }

  /**
   * A switchOn: its arms compare one selector with distinct constants, so
   * they exclude each other and each target becomes one n-way `case` node
   * (a Verilog case statement), however many arms there are.
   */
  private mergeSwitch(
    stmt: IrWhen,
    sel: NodeId,
    armChanges: Map<NodeId, PathValue>[],
    elseChanges: Map<NodeId, PathValue>,
    cur: Scope,
  ): Map<NodeId, PathValue> {
    const targets = new Set<NodeId>();
    for (const ch of armChanges) for (const t of ch.keys()) targets.add(t);
    for (const t of elseChanges.keys()) targets.add(t);
    let labels = 0;
    for (const arm of stmt.arms) labels += arm.values.length;
    // Every selector value has its arm: the otherwise branch can never run.
    const complete = stmt.hasOtherwise ? false : BigInt(labels) === 1n << BigInt(this.nodes[sel]!.width);
    const out = new Map<NodeId, PathValue>();
    for (const t of targets) {
      let dflt: PathValue = elseChanges.has(t) ? elseChanges.get(t)! : this.valueIn(cur, t);
      if (complete) dflt = DONT_CARE;
      const values = stmt.arms.map((_arm, i) => (armChanges[i]!.has(t) ? armChanges[i]!.get(t)! : this.valueIn(cur, t)));
      const missingArm = values.findIndex(isMissing);
      if (missingArm >= 0) {
        const v = values[missingArm] as Missing;
        const arm = stmt.arms[missingArm]!;
        out.set(t, { missing: v.missing === 'never' ? `when ${arm.label} at ${arm.loc.short} is selected` : v.missing });
        continue;
      }
      if (isMissing(dflt)) {
        out.set(t, { missing: dflt.missing === 'never' ? `when no case of the switchOn() at ${stmt.loc.short} matches` : dflt.missing });
        continue;
      }
      if (isDontCare(dflt)) {
        const chosen = values.find(isNode);
        if (chosen === undefined) {
          out.set(t, dflt);
          continue;
        }
        dflt = chosen;
      }
      // Arms that give the default value need no case item; arms giving the same value share one.
      const byValue = new Map<NodeId | bigint, { value: NodeId; labels: bigint[] }>();
      const dfltKey = this.sameValueKey(dflt);
      values.forEach((v, i) => {
        if (!isNode(v) || this.sameValueKey(v) === dfltKey) return;
        let item = byValue.get(this.sameValueKey(v));
        if (!item) byValue.set(this.sameValueKey(v), (item = { value: v, labels: [] }));
        for (const x of stmt.arms[i]!.values) item.labels.push(x);
      });
      if (byValue.size === 0) {
        out.set(t, dflt);
        continue;
      }
      out.set(t, this.caseNode(sel, dflt, [...byValue.values()], stmt.loc));
    }
    return out;
  }

  /** Two case items give the same value when they are the same node or literals of the same value. */
  private sameValueKey(v: NodeId): NodeId | bigint {
    const n = this.nodes[v]!;
    return n.kind === 'lit' ? n.value : v;
  }

  private caseNode(select: NodeId, fallback: NodeId, items: readonly { value: NodeId; labels: bigint[] }[], loc: SourceLoc): NodeId {
    const { width, signed } = this.nodes[fallback]!;
    const id = this.nodes.length;
    const values = items.map((item) => item.value);
    const labels = items.map((item) => item.labels);
    this.nodes.push({ kind: 'case', id, width, signed, name: undefined, loc, select, fallback, values, labels });
    return id;
  }

  private mux(cond: NodeId, a: NodeId, b: NodeId, loc: SourceLoc): NodeId {
    const x = this.nodes[a]!;
    const y = this.nodes[b]!;
    // `when(c) x := 1 otherwise x := 0` is just c.
    if (x.kind === 'lit' && y.kind === 'lit' && x.width === 1 && !x.signed && x.value === 1n && y.value === 0n) return cond;
    const id = this.nodes.length;
    this.nodes.push({ kind: 'op', id, width: x.width, signed: x.signed, name: undefined, loc, op: 'mux', args: [cond, a, b], imm: [], synthetic: true });
    return id;
  }

  private literal(value: bigint, width: number, signed: boolean, loc: SourceLoc): NodeId {
    const id = this.nodes.length;
    this.nodes.push({ kind: 'lit', id, width, signed, name: undefined, loc, value, enumLabel: undefined });
    return id;
  }
}

/** A target with its driver (a register: its next state). */
function withDriver(n: IrNode, d: NodeId): IrNode {
  const { id, width, signed, name, loc } = n;
  switch (n.kind) {
    case 'output':
      return { kind: 'output', id, width, signed, name: n.name, loc, driver: d };
    case 'wire':
      return { kind: 'wire', id, width, signed, name, loc, driver: d };
    case 'reg':
      return { kind: 'reg', id, width, signed, name, loc, next: d, init: n.init };
    case 'instIn':
      return { kind: 'instIn', id, width, signed, name, loc, instance: n.instance, port: n.port, driver: d };
    default:
      throw new Error(`internal: a ${n.kind} node is not a target`);
  }
}
