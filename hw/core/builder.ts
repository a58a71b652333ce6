import { HwError } from './errors.ts';
import { checkIdentifier, CLOCK, RESET } from './names.ts';
import type { Direction, FlatPort, IOSpec } from './ports.ts';
import { checkBool, checkOperand, coerce, isDrivable, makeLiteral, Signal, type Operand } from './signal.ts';
import { SourceLoc } from './source.ts';
import type { BitsType } from './types.ts';
import { checkCombinationalLoops, computeCombPaths } from './comb-graph.ts';
import type { AnyModuleDefinition } from './module.ts';

// Statements recorded by a module body

interface ConnectStmt {
  readonly kind: 'connect';
  readonly target: Signal;
  readonly value: Signal;
  readonly loc: SourceLoc;
}

interface WhenStmt {
  readonly kind: 'when';
  readonly cond: Signal;
  readonly then: Block;
  readonly else: Block;
  readonly loc: SourceLoc;
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
  usesClock = false;
  usesReset = false;
  /** For each output port: the input ports it depends on combinationally. */
  readonly combPaths = new Map<string, Set<string>>();

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
        `${target.describe()} has two drivers: it is the output '${target.portName}' of instance '${inst.name}', already driven by module '${inst.module.displayName}'`,
        loc,
      );
    }
    if (!isDrivable(target)) {
      throw new HwError(`${target.describe()} cannot be driven: only wires, outputs, registers and child inputs can`, loc);
    }
    if (target.owner !== this) {
      throw new HwError(
        `${target.describe()} belongs to module '${target.owner?.displayName}' (declared at ${target.loc.short}) and cannot be driven from module '${this.displayName}'`,
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
  }

  when(cond: Signal, body: () => void, loc: SourceLoc): WhenChain {
    checkBool(cond, 'the condition of when()', loc);
    const stmt: WhenStmt = { kind: 'when', cond, then: new Block(), else: new Block(), loc };
    const parent = this.current;
    parent.stmts.push(stmt);
    this.runIn(stmt.then, body);
    return new WhenChain(this, parent, stmt, stmt);
  }

  /** Used by WhenChain: adds `else if` / `else` to a when that must still be the last statement. */
  extendWhen(parent: Block, root: WhenStmt, tail: WhenStmt, cond: Signal | null, body: () => void, loc: SourceLoc): WhenStmt | null {
    if (this.current !== parent || parent.stmts[parent.stmts.length - 1] !== root) {
      throw new HwError(
        `${cond ? 'elseWhen' : 'otherwise'}() must directly follow its when() (at ${root.loc.short}) in the same block`,
        loc,
      );
    }
    if (!cond) {
      this.runIn(tail.else, body);
      return null;
    }
    checkBool(cond, 'the condition of elseWhen()', loc);
    const stmt: WhenStmt = { kind: 'when', cond, then: new Block(), else: new Block(), loc };
    tail.else.stmts.push(stmt);
    this.runIn(stmt.then, body);
    return stmt;
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

  finish(): void {
    this.resolveDrivers();
    for (const r of this.regs) {
      if (r.enable && r.driver !== r) r.driver = this.syntheticMux(r.enable, r.driver!, r, r.loc);
    }
    checkCombinationalLoops(this);
    computeCombPaths(this);
    this.usesClock = this.regs.length > 0 || this.memories.length > 0 || this.instances.some((i) => i.module.usesClock);
    this.usesReset = this.regs.some((r) => r.init !== undefined) || this.instances.some((i) => i.module.usesReset);
    this.finished = true;
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
    out.push(...this.wires, ...this.regs);
    for (const inst of this.instances) for (const s of inst.ports.values()) if (s.kind === 'instIn') out.push(s);
    return out;
  }

  private baseValue(t: Signal): PathValue {
    if (t.kind === 'reg') return t;
    if (this.dontCares.has(t)) return DONT_CARE;
    if (t.defaultValue) return t.defaultValue;
    return { missing: 'never' };
  }

  private resolveBlock(block: Block, base: (t: Signal) => PathValue): Map<Signal, PathValue> {
    const changes = new Map<Signal, PathValue>();
    const cur = (t: Signal): PathValue => (changes.has(t) ? changes.get(t)! : base(t));
    for (const stmt of block.stmts) {
      if (stmt.kind === 'connect') {
        changes.set(stmt.target, stmt.value);
        continue;
      }
      const thenCh = this.resolveBlock(stmt.then, cur);
      const elseCh = this.resolveBlock(stmt.else, cur);
      const touched = new Set([...thenCh.keys(), ...elseCh.keys()]);
      for (const t of touched) {
        const a = thenCh.has(t) ? thenCh.get(t)! : cur(t);
        const b = elseCh.has(t) ? elseCh.get(t)! : cur(t);
        changes.set(t, this.mergePaths(stmt, a, b));
      }
    }
    return changes;
  }

  private mergePaths(stmt: WhenStmt, a: PathValue, b: PathValue): PathValue {
    if (a === b) return a;
    // Where one branch does not care, the other's value serves both: no mux.
    if ('dontCare' in a) return b;
    if ('dontCare' in b) return a;
    if ('missing' in a) {
      return { missing: a.missing === 'never' ? `when the condition of when() at ${stmt.loc.short} is true` : a.missing };
    }
    if ('missing' in b) {
      return { missing: b.missing === 'never' ? `when the condition of when() at ${stmt.loc.short} is false` : b.missing };
    }
    return this.syntheticMux(stmt.cond, a, b, stmt.loc);
  }

  private resolveDrivers(): void {
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
        throw new HwError(`${what} is never driven in module '${this.displayName}'`, where);
      }
      throw new HwError(
        `${what} is not driven on every path (it would be a latch): nothing drives it ${v.missing}; add an otherwise() branch or give it a default`,
        where,
      );
    }
  }
}

export class WhenChain {
  constructor(
    private readonly b: ModuleBuilder,
    private readonly parent: Block,
    private readonly root: WhenStmt,
    private readonly tail: WhenStmt,
  ) {}

  elseWhen(cond: Signal, body: () => void): WhenChain {
    const loc = SourceLoc.capture();
    const stmt = this.b.extendWhen(this.parent, this.root, this.tail, cond, body, loc)!;
    return new WhenChain(this.b, this.parent, this.root, stmt);
  }

  otherwise(body: () => void): void {
    this.b.extendWhen(this.parent, this.root, this.tail, null, body, SourceLoc.capture());
  }
}
