import { HwError, throwProblems } from './errors.ts';
import { checkIdentifier, CLOCK, RESET } from './names.ts';
import type { Direction, FlatPort, IOSpec } from './ports.ts';
import { checkBool, checkOperand, coerce, isDrivable, makeLiteral, placeOperators, Signal, type Operand } from './signal.ts';
import { SourceLoc } from './source.ts';
import type { BitsType } from './types.ts';
import type { IrModule } from './ir.ts';
import { lowerModule } from './lower.ts';
import { findCombinationalLoop } from './passes/comb-loops.ts';
import { withCombPaths } from './passes/comb-paths.ts';
import type { AnyModuleDefinition } from './module.ts';

// Statements recorded by a module body

interface ConnectStmt {
  readonly kind: 'connect';
  readonly target: Signal;
  readonly value: Signal;
  readonly loc: SourceLoc;
}

/** One branch of a when / elseWhen / switchOn chain. */
interface WhenArm {
  readonly cond: Signal;
  readonly body: Block;
  readonly loc: SourceLoc;
  /** How the user wrote it, for messages: `when()`, `elseWhen()`, `switchOn().is(...)`. */
  readonly label: string;
  /** For switchOn: the selector values of this arm. */
  readonly values?: readonly bigint[];
}

/**
 * A whole `when().elseWhen()...otherwise()` chain, or a `switchOn`, as one
 * statement: its arms are a list, not nested else-blocks, so that a chain of
 * thousands of arms neither recurses nor takes quadratic time to resolve.
 */
interface WhenStmt {
  readonly kind: 'when';
  readonly arms: WhenArm[];
  readonly otherwise: Block;
  readonly loc: SourceLoc;
  /** The selector of a switchOn: its arms are mutually exclusive. */
  readonly switchOn?: Signal;
  closed: boolean;
}

type Stmt = ConnectStmt | WhenStmt;

export class Block {
  readonly stmts: Stmt[] = [];
  /** Targets connected directly in this block, with where. */
  readonly direct = new Map<Signal, SourceLoc>();
}

export interface PortRec {
  readonly name: string;
  readonly dir: Direction;
  readonly signal: Signal;
}

export interface InstanceRec {
  readonly name: string;
  readonly module: ModuleBuilder;
  /** Flattened child port name → the signal standing for it in the parent. */
  readonly ports: Map<string, Signal>;
  readonly loc: SourceLoc;
}

export interface ReadPortRec {
  readonly enable: Signal;
  readonly addr: Signal;
  readonly data: Signal;
}

export interface MemoryRec {
  readonly name: string;
  readonly depth: number;
  readonly width: number;
  readonly signed: boolean;
  readonly addrWidth: number;
  readonly init: bigint[] | undefined;
  /** Testbenches may load and dump the contents (Verilator bulk and interactive modes). */
  readonly testbenchAccess: boolean;
  readonly writeEnable: Signal;
  readonly writeAddr: Signal;
  readonly writeData: Signal;
  readonly readPorts: ReadPortRec[];
  readonly loc: SourceLoc;
}

/** Value of a target on one path through the when-blocks, or why there is none. */
interface Missing {
  readonly missing: string;
}
/** A path where the value does not matter (a memory address while not accessing it). */
const DONT_CARE = { dontCare: true } as const;
type PathValue = Signal | Missing | typeof DONT_CARE;

/**
 * One module being elaborated, and afterwards its elaborated form: ports,
 * nodes, state and children, with every driver resolved and checked.
 */
export class ModuleBuilder {
  spec: IOSpec = {};
  readonly ports: PortRec[] = [];
  /** Operator nodes in creation order. */
  readonly nodes: Signal[] = [];
  readonly wires: Signal[] = [];
  readonly regs: Signal[] = [];
  readonly memories: MemoryRec[] = [];
  readonly instances: InstanceRec[] = [];
  /** The module's IR, once finished. */
  ir: IrModule | undefined;

  private readonly root = new Block();
  private current = this.root;
  private readonly names = new Map<string, SourceLoc>();
  private readonly instanceCounts = new Map<string, number>();
  /** Wires whose value matters only on the paths that drive them. */
  private readonly dontCares = new Set<Signal>();
  private finished = false;

  constructor(
    readonly displayName: string,
    readonly def: AnyModuleDefinition,
    readonly params: unknown,
  ) {
    this.names.set(CLOCK, def.loc);
    this.names.set(RESET, def.loc);
  }

  claimName(name: string, loc: SourceLoc): void {
    const prev = this.names.get(name);
    if (prev) {
      const reserved = name === CLOCK || name === RESET;
      throw new HwError(
        reserved
          ? `name '${name}' is reserved for the implicit ${name === CLOCK ? 'clock' : 'reset'} port in module '${this.displayName}'`
          : `name '${name}' is used twice in module '${this.displayName}'`,
        loc,
        reserved ? [] : [`first used at ${prev.short}`],
      );
    }
    this.names.set(name, loc);
  }

  markDontCare(s: Signal): void {
    this.dontCares.add(s);
  }

  isNameTaken(name: string): boolean {
    return this.names.has(name);
  }

  addNode(s: Signal): void {
    if (this.finished) throw new HwError(`module '${this.displayName}' is already elaborated; hardware cannot be added to it`, s.loc);
    this.nodes.push(s);
  }

  addPort(p: FlatPort): Signal {
    checkIdentifier(p.name, 'port', p.loc);
    this.claimName(p.name, p.loc);
    const s = new Signal(p.dir === 'in' ? 'input' : 'output', p.type.width, p.type.signed, this, p.loc, p.name);
    this.ports.push({ name: p.name, dir: p.dir, signal: s });
    return s;
  }

  namedLeaf(kind: 'wire' | 'reg', name: string | undefined, t: BitsType, loc: SourceLoc): Signal {
    if (name !== undefined) {
      checkIdentifier(name, kind, loc);
      this.claimName(name, loc);
    }
    const s = new Signal(kind, t.width, t.signed, this, loc, name);
    (kind === 'wire' ? this.wires : this.regs).push(s);
    return s;
  }

  // ----- statements -----

  connect(target: Signal, rawValue: Operand, loc: SourceLoc): void {
    if (target.kind === 'input') {
      throw new HwError(
        `input port '${target.name}' of module '${this.displayName}' is driven from inside the module; inputs are driven by the parent`,
        loc,
      );
    }
    if (target.kind === 'instOut') {
      const inst = target.instance!;
      throw new HwError(
        `${target.describe()} is driven from its parent '${this.displayName}', but it is already driven inside module '${inst.module.displayName}': a parent reads a child's outputs and drives only its inputs`,
        loc,
      );
    }
    if (!isDrivable(target)) {
      throw new HwError(`${target.describe()} cannot be driven: only wires, outputs, registers and child inputs can`, loc);
    }
    if (target.owner !== this) {
      throw new HwError(
        `${target.describe()} belongs to module '${target.owner?.displayName}' (declared at ${target.loc.exact}) and cannot be driven from module '${this.displayName}'`,
        loc,
      );
    }
    const value = coerce(rawValue, target, loc);
    checkOperand(value, loc);
    if (value.width !== target.width) {
      throw new HwError(
        `width mismatch: ${target.describe()} is ${target.typeName()} but is driven with ${value.describe()} of type ${value.typeName()}; widen or narrow explicitly with .extend(w) or .trunc(w)`,
        loc,
      );
    }
    if (value.signed !== target.signed) {
      throw new HwError(
        `signedness mismatch: ${target.describe()} is ${target.typeName()} but is driven with ${value.describe()} of type ${value.typeName()}; convert with .asSInt() or .asUInt()`,
        loc,
      );
    }
    const earlier = this.current.direct.get(target);
    if (earlier) {
      throw new HwError(
        `${target.describe()} has two drivers in the same block: the connection at ${earlier.short} is always overridden by this one; remove one, or put one under a when()`,
        loc,
      );
    }
    this.current.direct.set(target, loc);
    this.current.stmts.push({ kind: 'connect', target, value, loc });
    // Without the connection's own location, its operators are placed at the target's declaration.
    placeOperators(value, loc === SourceLoc.UNPLACED ? target.loc.lent() : loc);
  }

  when(cond: Signal, body: () => void, loc: SourceLoc, switchOn?: { sel: Signal; values: readonly bigint[]; label: string; at: SourceLoc }): WhenChain {
    const label = switchOn?.label ?? 'when()';
    checkBool(cond, `the condition of ${label}`, loc);
    placeOperators(cond, loc);
    const stmt: WhenStmt = { kind: 'when', arms: [], otherwise: new Block(), loc: switchOn?.at ?? loc, switchOn: switchOn?.sel, closed: false };
    const parent = this.current;
    parent.stmts.push(stmt);
    stmt.arms.push({ cond, body: new Block(), loc, label, values: switchOn?.values });
    this.runIn(stmt.arms[0]!.body, body);
    return new WhenChain(this, parent, stmt);
  }

  /**
   * Used by WhenChain and switchOn: adds an arm (`cond`) or the `otherwise`
   * branch (`cond` null) to a chain that must still be the last statement of its block.
   */
  extendWhen(parent: Block, stmt: WhenStmt, cond: Signal | null, body: () => void, loc: SourceLoc, label: string, values?: readonly bigint[]): void {
    if (this.current !== parent || parent.stmts[parent.stmts.length - 1] !== stmt) {
      throw new HwError(`${label} must directly follow its ${stmt.arms[0]!.label} (at ${stmt.loc.short}) in the same block`, loc);
    }
    if (stmt.closed) throw new HwError(`${label} cannot follow otherwise() of the ${stmt.arms[0]!.label} at ${stmt.loc.short}`, loc);
    if (!cond) {
      stmt.closed = true;
      this.runIn(stmt.otherwise, body);
      return;
    }
    checkBool(cond, `the condition of ${label}`, loc);
    placeOperators(cond, loc);
    const arm: WhenArm = { cond, body: new Block(), loc, label, values };
    stmt.arms.push(arm);
    this.runIn(arm.body, body);
  }

  private runIn(block: Block, body: () => void): void {
    const saved = this.current;
    this.current = block;
    try {
      body();
    } finally {
      this.current = saved;
    }
  }

  directlyDriven(target: Signal): SourceLoc | undefined {
    return this.current.direct.get(target);
  }

  nextInstanceName(base: string): string {
    const n = this.instanceCounts.get(base) ?? 0;
    this.instanceCounts.set(base, n + 1);
    return `${base}_${n}`;
  }

  // ----- finishing: drivers, checks -----

  /**
   * Resolves every driver, lowers the module to its IR and runs the checks
   * on it, reporting every problem found together. The recording state is
   * dropped: from here on the IR is the module.
   */
  finish(): IrModule {
    const problems: HwError[] = [];
    this.resolveDrivers(problems);
    for (const r of this.regs) {
      if (r.enable && r.driver && r.driver !== r) r.driver = this.syntheticMux(r.enable, r.driver, r, r.loc);
    }
    let ir = lowerModule(this, new Set(this.names.keys()));
    const loop = findCombinationalLoop(ir);
    if (loop) problems.push(loop);
    throwProblems(problems, `module '${this.displayName}'`);
    ir = withCombPaths(ir);
    this.ir = ir;
    this.finished = true;
    // Drop the recording state: a large design keeps only its IR while its parents elaborate.
    this.root.stmts.length = 0;
    this.root.direct.clear();
    this.dontCares.clear();
    this.nodes.length = 0;
    this.wires.length = 0;
    this.regs.length = 0;
    this.memories.length = 0;
    this.instances.length = 0;
    return ir;
  }

  private syntheticMux(cond: Signal, a: Signal, b: Signal, loc: SourceLoc): Signal {
    // `when(c) x := 1 otherwise x := 0` is just c.
    if (a.width === 1 && !a.signed && a.kind === 'lit' && b.kind === 'lit' && a.value === 1n && b.value === 0n) return cond;
    const s = new Signal('op', a.width, a.signed, this, loc);
    s.op = 'mux';
    s.args = [cond, a, b];
    s.synthetic = true;
    this.nodes.push(s);
    return s;
  }

  private drivenTargets(): Signal[] {
    const out: Signal[] = [];
    for (const p of this.ports) if (p.dir === 'out') out.push(p.signal);
    for (const w of this.wires) out.push(w);
    for (const r of this.regs) out.push(r);
    for (const inst of this.instances) for (const s of inst.ports.values()) if (s.kind === 'instIn') out.push(s);
    return out;
  }

  private baseValue(t: Signal): PathValue {
    if (t.kind === 'reg') return t;
    if (this.dontCares.has(t)) return DONT_CARE;
    if (t.defaultValue) return t.defaultValue;
    return { missing: 'never' };
  }

  /**
   * The value of every target a block changes. Recursion follows the nesting
   * of when() bodies in the source, never the length of a chain.
   */
  private resolveBlock(block: Block, base: (t: Signal) => PathValue): Map<Signal, PathValue> {
    const changes = new Map<Signal, PathValue>();
    const cur = (t: Signal): PathValue => (changes.has(t) ? changes.get(t)! : base(t));
    for (const stmt of block.stmts) {
      if (stmt.kind === 'connect') {
        changes.set(stmt.target, stmt.value);
        continue;
      }
      const armChanges = stmt.arms.map((arm) => this.resolveBlock(arm.body, cur));
      const elseChanges = this.resolveBlock(stmt.otherwise, cur);
      const merged = stmt.switchOn
        ? this.mergeSwitch(stmt, stmt.switchOn, armChanges, elseChanges, cur)
        : this.mergeChain(stmt, armChanges, elseChanges, cur);
      for (const [t, v] of merged) changes.set(t, v);
    }
    return changes;
  }

  /** A priority chain: the first arm whose condition holds wins; muxes from the last arm outwards. */
  private mergeChain(stmt: WhenStmt, armChanges: Map<Signal, PathValue>[], elseChanges: Map<Signal, PathValue>, cur: (t: Signal) => PathValue): Map<Signal, PathValue> {
    let acc = elseChanges;
    for (let i = stmt.arms.length - 1; i >= 0; i--) {
      const arm = stmt.arms[i]!;
      const thenCh = armChanges[i]!;
      const next = new Map<Signal, PathValue>();
      const visit = (t: Signal): void => {
        if (next.has(t)) return;
        const a = thenCh.has(t) ? thenCh.get(t)! : cur(t);
        const b = acc.has(t) ? acc.get(t)! : cur(t);
        next.set(t, this.mergePaths(arm, a, b));
      };
      for (const t of thenCh.keys()) visit(t);
      for (const t of acc.keys()) visit(t);
      acc = next;
    }
    return acc;
  }

  private mergePaths(arm: WhenArm, a: PathValue, b: PathValue): PathValue {
    if (a === b) return a;
    // Where one branch does not care, the other's value serves both: no mux.
    if ('dontCare' in a) return b;
    if ('dontCare' in b) return a;
    if ('missing' in a) {
      return { missing: a.missing === 'never' ? `when the condition of ${arm.label} at ${arm.loc.short} is true` : a.missing };
    }
    if ('missing' in b) {
      return { missing: b.missing === 'never' ? `when the condition of ${arm.label} at ${arm.loc.short} is false` : b.missing };
    }
    return this.syntheticMux(arm.cond, a, b, arm.loc);
  }

  /**
   * A switchOn: its arms compare one selector with distinct constants, so
   * they exclude each other and each target becomes one n-way `case` node
   * (a Verilog case statement), however many arms there are.
   */
  private mergeSwitch(
    stmt: WhenStmt,
    sel: Signal,
    armChanges: Map<Signal, PathValue>[],
    elseChanges: Map<Signal, PathValue>,
    cur: (t: Signal) => PathValue,
  ): Map<Signal, PathValue> {
    const targets = new Set<Signal>();
    for (const ch of armChanges) for (const t of ch.keys()) targets.add(t);
    for (const t of elseChanges.keys()) targets.add(t);
    let labels = 0;
    for (const arm of stmt.arms) labels += arm.values!.length;
    // Every selector value has its arm: the otherwise branch can never run.
    const complete = stmt.closed ? false : BigInt(labels) === 1n << BigInt(sel.width);
    const out = new Map<Signal, PathValue>();
    for (const t of targets) {
      let dflt: PathValue = elseChanges.has(t) ? elseChanges.get(t)! : cur(t);
      if (complete) dflt = DONT_CARE;
      const values = stmt.arms.map((_arm, i) => (armChanges[i]!.has(t) ? armChanges[i]!.get(t)! : cur(t)));
      const missingArm = values.findIndex((v) => 'missing' in v);
      if (missingArm >= 0) {
        const v = values[missingArm] as Missing;
        const arm = stmt.arms[missingArm]!;
        out.set(t, { missing: v.missing === 'never' ? `when ${arm.label} at ${arm.loc.short} is selected` : v.missing });
        continue;
      }
      if ('missing' in dflt) {
        out.set(t, { missing: dflt.missing === 'never' ? `when no case of the switchOn() at ${stmt.loc.short} matches` : dflt.missing });
        continue;
      }
      if ('dontCare' in dflt) {
        const chosen = values.find((v) => !('dontCare' in v));
        if (chosen === undefined) {
          out.set(t, dflt);
          continue;
        }
        dflt = chosen;
      }
      // Arms that give the default value need no case item; arms giving the same value share one.
      const same = (v: Signal): Signal | bigint => (v.kind === 'lit' ? v.value : v);
      const byValue = new Map<Signal | bigint, { value: Signal; labels: bigint[] }>();
      const dfltKey = same(dflt as Signal);
      values.forEach((v, i) => {
        if ('dontCare' in v || 'missing' in v || same(v) === dfltKey) return;
        let item = byValue.get(same(v));
        if (!item) byValue.set(same(v), (item = { value: v, labels: [] }));
        for (const x of stmt.arms[i]!.values!) item.labels.push(x);
      });
      const items = new Map<Signal, bigint[]>();
      for (const { value, labels } of byValue.values()) items.set(value, labels);
      if (items.size === 0) {
        out.set(t, dflt);
        continue;
      }
      out.set(t, this.caseNode(sel, dflt as Signal, items, stmt.loc));
    }
    return out;
  }

  private caseNode(sel: Signal, dflt: Signal, items: Map<Signal, bigint[]>, loc: SourceLoc): Signal {
    const s = new Signal('op', dflt.width, dflt.signed, this, loc);
    s.op = 'case';
    s.args = [sel, dflt];
    s.caseLabels = [];
    for (const [v, labels] of items) {
      s.args.push(v);
      s.caseLabels.push(labels);
    }
    s.synthetic = true;
    this.nodes.push(s);
    return s;
  }

  private resolveDrivers(problems: HwError[]): void {
    const changes = this.resolveBlock(this.root, (t) => this.baseValue(t));
    for (const t of this.drivenTargets()) {
      const v = changes.has(t) ? changes.get(t)! : this.baseValue(t);
      if ('dontCare' in v) {
        t.driver = makeLiteral(0, t.width, t.signed, t.loc);
        continue;
      }
      if (!('missing' in v)) {
        t.driver = v;
        continue;
      }
      const what =
        t.kind === 'instIn'
          ? `input '${t.portName}' of instance '${t.instance!.name}' (module '${t.instance!.module.displayName}')`
          : t.describe();
      const where = t.kind === 'instIn' ? t.instance!.loc : t.loc;
      if (v.missing === 'never') {
        problems.push(new HwError(`${what} is never driven in module '${this.displayName}'`, where));
        continue;
      }
      problems.push(
        new HwError(
          `${what} is not driven on every path (it would be a latch): nothing drives it ${v.missing}; add an otherwise() branch or give it a default`,
          where,
        ),
      );
    }
  }
}

export class WhenChain {
  constructor(
    private readonly b: ModuleBuilder,
    private readonly parent: Block,
    private readonly stmt: WhenStmt,
  ) {}

  elseWhen(cond: Signal, body: () => void): WhenChain {
    this.b.extendWhen(this.parent, this.stmt, cond, body, SourceLoc.capture(), 'elseWhen()');
    return this;
  }

  otherwise(body: () => void): void {
    this.b.extendWhen(this.parent, this.stmt, null, body, SourceLoc.capture(), 'otherwise()');
  }

  /** Used by switchOn: one more `is()` arm. */
  addCase(cond: Signal, values: readonly bigint[], label: string, loc: SourceLoc, body: () => void): void {
    this.b.extendWhen(this.parent, this.stmt, cond, body, loc, label, values);
  }
}
