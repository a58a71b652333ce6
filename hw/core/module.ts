import { createHash } from 'node:crypto';
import { currentBuilder, popBuilder, pushBuilder } from './context.ts';
import { HwError } from './errors.ts';
import { checkIdentifier, CLOCK, RESET } from './names.ts';
import { buildIO, buildTyped, type Direction, type FlatPort, type IOOf, type IOSpec, type SignalOf } from './ports.ts';
import { checkBool, checkOperand, coerce, isDrivable, makeLiteral, Signal, type Operand } from './signal.ts';
import { SourceLoc } from './source.ts';
import { log2Ceil, type BitsType, type HwType } from './types.ts';

// ----------------------------------------------------------------------------
// Module definitions

export interface ModuleDefinition<P, S extends IOSpec> {
  readonly kind: 'moduleDefinition';
  /** Base name; each distinct parameterisation gets its own Verilog module. */
  readonly name: string | ((params: P) => string);
  readonly io: (params: P) => S;
  readonly body: (io: IOOf<S>, params: P) => void;
  readonly loc: SourceLoc;
}

export type AnyModuleDefinition = ModuleDefinition<any, any>;

/**
 * Declares a module once; every distinct parameter object elaborates to one
 * Verilog module, shared by all instances with those parameters.
 */
export function defineModule<P, S extends IOSpec>(def: {
  name: string | ((params: P) => string);
  io: (params: P) => S;
  body: (io: IOOf<S>, params: P) => void;
}): ModuleDefinition<P, S> {
  const loc = SourceLoc.capture();
  if (typeof def.name === 'string') checkIdentifier(def.name, 'module', loc);
  return { kind: 'moduleDefinition', name: def.name, io: def.io, body: def.body, loc };
}

// ----------------------------------------------------------------------------
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

class Block {
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

// ----------------------------------------------------------------------------
// Elaboration session: module deduplication across the whole hierarchy

interface Session {
  readonly modules: Map<string, ModuleBuilder>;
  readonly namesInUse: Map<string, string>;
  readonly order: ModuleBuilder[];
}

let session: Session | null = null;

export interface Design {
  readonly top: ModuleBuilder;
  /** Every distinct module, children before their parents. */
  readonly modules: readonly ModuleBuilder[];
}

/** Elaborates a top-level module and everything below it. */
export function elaborate<P, S extends IOSpec>(def: ModuleDefinition<P, S>, params: P): Design {
  if (session) throw new HwError('elaborate() cannot be called inside a module body; use instance()', SourceLoc.capture());
  session = { modules: new Map(), namesInUse: new Map(), order: [] };
  try {
    const top = elaborateModule(def, params);
    return { top, modules: [...session.order] };
  } finally {
    session = null;
  }
}

function canonicalParams(params: unknown, loc: SourceLoc): string {
  return JSON.stringify(params ?? null, (_k, v: unknown) => {
    if (typeof v === 'function' || typeof v === 'symbol') {
      throw new HwError('module parameters must be plain data (numbers, strings, booleans, arrays, objects)', loc);
    }
    if (typeof v === 'bigint') return `${v}n`;
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

function moduleName(def: AnyModuleDefinition, params: unknown, key: string): string {
  if (typeof def.name === 'function') return def.name(params);
  const entries = params && typeof params === 'object' ? Object.entries(params) : [];
  if (entries.length === 0) return def.name;
  const simple = entries.every(([, v]) => ['number', 'boolean', 'string'].includes(typeof v));
  const suffix = entries.map(([k, v]) => `${k}${String(v)}`).join('_').replace(/[^A-Za-z0-9_]/g, '_');
  if (simple && suffix.length <= 48) return `${def.name}_${suffix}`;
  return `${def.name}_${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
}

function elaborateModule(def: AnyModuleDefinition, params: unknown): ModuleBuilder {
  const s = session!;
  const loc = SourceLoc.capture();
  const key = `${typeof def.name === 'string' ? def.name : def.loc.short}\u0000${canonicalParams(params, loc)}`;
  const cached = s.modules.get(key);
  if (cached) {
    if (cached.def !== def) {
      throw new HwError(`two different module definitions are named '${cached.displayName}'`, def.loc, [
        `the other is defined at ${cached.def.loc.short}`,
      ]);
    }
    return cached;
  }
  let name = moduleName(def, params, key);
  checkIdentifier(name, 'module', def.loc);
  const owner = s.namesInUse.get(name);
  if (owner !== undefined && owner !== key) name = `${name}_${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
  s.namesInUse.set(name, key);

  const b = new ModuleBuilder(name, def, params);
  s.modules.set(key, b);
  pushBuilder(b);
  try {
    const spec = def.io(params) as IOSpec;
    const io = buildIO(spec, (p) => b.addPort(p));
    b.spec = spec;
    def.body(io as never, params);
    b.finish();
  } catch (e) {
    s.modules.delete(key);
    throw e;
  } finally {
    popBuilder();
  }
  s.order.push(b);
  return b;
}

// ----------------------------------------------------------------------------

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

  claimName(name: string, _what: unknown, loc: SourceLoc): void {
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
    this.claimName(p.name, null, p.loc);
    const s = new Signal(p.dir === 'in' ? 'input' : 'output', p.type.width, p.type.signed, this, p.loc, p.name);
    this.ports.push({ name: p.name, dir: p.dir, signal: s });
    return s;
  }

  namedLeaf(kind: 'wire' | 'reg', name: string | undefined, t: BitsType, loc: SourceLoc): Signal {
    if (name !== undefined) {
      checkIdentifier(name, kind, loc);
      this.claimName(name, null, loc);
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
    this.checkCombinationalLoops();
    this.computeCombPaths();
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

  private combDeps(s: Signal): Signal[] {
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

  private allCombNodes(): Signal[] {
    const out: Signal[] = [...this.nodes, ...this.wires];
    for (const p of this.ports) out.push(p.signal);
    for (const inst of this.instances) out.push(...inst.ports.values());
    return out;
  }

  private checkCombinationalLoops(): void {
    const state = new Map<Signal, 1 | 2>(); // 1: on the DFS stack, 2: done
    for (const start of this.allCombNodes()) {
      if (state.has(start)) continue;
      const stack: { node: Signal; deps: Signal[]; i: number }[] = [{ node: start, deps: this.combDeps(start), i: 0 }];
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
        if (st === 2 || next.owner !== this) continue;
        if (st === 1) this.reportLoop(stack.map((f) => f.node), next);
        state.set(next, 1);
        stack.push({ node: next, deps: this.combDeps(next), i: 0 });
      }
    }
  }

  private reportLoop(path: Signal[], back: Signal): never {
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
    throw new HwError(
      `combinational loop in module '${this.displayName}' through ${cycle.length} signal${cycle.length > 1 ? 's' : ''}:`,
      named.loc,
      [...lines.map((l) => `-> ${l}`), `-> back to the first; break the loop with a register`],
    );
  }

  private computeCombPaths(): void {
    const memo = new Map<Signal, Set<string>>();
    const reach = (root: Signal): Set<string> => {
      // Iterative post-order walk: deep adder trees and mux chains would
      // overflow the JavaScript stack with recursion.
      const work: { node: Signal; expanded: boolean }[] = [{ node: root, expanded: false }];
      while (work.length > 0) {
        const top = work[work.length - 1]!;
        if (memo.has(top.node)) {
          work.pop();
          continue;
        }
        const deps = this.combDeps(top.node);
        if (!top.expanded) {
          top.expanded = true;
          for (const d of deps) if (!memo.has(d)) work.push({ node: d, expanded: false });
          continue;
        }
        work.pop();
        const set = new Set<string>();
        if (top.node.kind === 'input') set.add(top.node.name!);
        for (const d of deps) for (const n of memo.get(d)!) set.add(n);
        memo.set(top.node, set);
      }
      return memo.get(root)!;
    };
    for (const p of this.ports) if (p.dir === 'out') this.combPaths.set(p.name, reach(p.signal));
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

// ----------------------------------------------------------------------------
// The statements users write

/** Runs `body` with its connections conditional on `cond`. Last connection wins. */
export function when(cond: Signal, body: () => void): WhenChain {
  const loc = SourceLoc.capture();
  return currentBuilder(loc, 'when()').when(cond, body, loc);
}

type InitOf<T> = T extends BitsType ? Operand : Operand | { [K in keyof SignalOf<T>]?: unknown } | unknown[];

export interface WireOptions<T extends HwType> {
  name?: string;
  /** Value on every path where nothing else drives the wire. */
  default?: InitOf<T>;
}

export interface RegOptions<T extends HwType> {
  name?: string;
  /** Synchronous reset value; without it the register has no reset. */
  init?: InitOf<T>;
  /** The register only updates while this is high. */
  enable?: Signal;
}

function leafInit(init: unknown, path: (string | number)[]): unknown {
  let v: unknown = init;
  for (const k of path) {
    if (v === undefined || typeof v !== 'object' || v instanceof Signal) return v;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

function buildState<T extends HwType>(
  kind: 'wire' | 'reg',
  type: T,
  name: string | undefined,
  loc: SourceLoc,
  each: (s: Signal, path: (string | number)[]) => void,
): SignalOf<T> {
  const b = currentBuilder(loc, `${kind}()`);
  const walk = (t: HwType, n: string | undefined, path: (string | number)[]): unknown => {
    if (t.kind === 'bits') {
      const s = b.namedLeaf(kind, n, t, loc);
      each(s, path);
      return s;
    }
    if (t.kind === 'vec') {
      return Array.from({ length: t.length }, (_, i) => walk(t.element, n === undefined ? undefined : `${n}_${i}`, [...path, i]));
    }
    const out: Record<string, unknown> = {};
    for (const [k, ft] of Object.entries(t.fields)) {
      out[k] = walk(ft as HwType, n === undefined ? undefined : `${n}_${k}`, [...path, k]);
    }
    return out;
  };
  return walk(type, name, []) as SignalOf<T>;
}

function constantFor(v: unknown, s: Signal, what: string, loc: SourceLoc): Signal {
  if (v instanceof Signal) {
    if (v.kind !== 'lit') throw new HwError(`${what} of ${s.describe()} must be a constant, not ${v.describe()}`, loc);
    if (v.width !== s.width || v.signed !== s.signed) {
      throw new HwError(`${what} of ${s.describe()} is ${v.typeName()} but the ${s.kind} is ${s.typeName()}`, loc);
    }
    return v;
  }
  if (typeof v !== 'number' && typeof v !== 'bigint') {
    throw new HwError(`${what} of ${s.describe()} must be a number, a bigint or a literal`, loc);
  }
  return makeLiteral(v, s.width, s.signed, loc);
}

/** A combinational wire (or an aggregate of wires) of the given type. */
export function wire<T extends HwType>(type: T, opts: WireOptions<T> = {}): SignalOf<T> {
  const loc = SourceLoc.capture();
  return buildState('wire', type, opts.name, loc, (s, path) => {
    const d = leafInit(opts.default, path);
    if (d !== undefined) s.defaultValue = constantFor(d, s, 'the default', loc);
  });
}

/** A register (or an aggregate of registers) clocked by the implicit clock. */
export function reg<T extends HwType>(type: T, opts: RegOptions<T> = {}): SignalOf<T> {
  const loc = SourceLoc.capture();
  if (opts.enable) checkBool(opts.enable, 'the enable of reg()', loc);
  return buildState('reg', type, opts.name, loc, (s, path) => {
    const v = leafInit(opts.init, path);
    if (v !== undefined) s.init = constantFor(v, s, 'the reset value', loc).value;
    s.enable = opts.enable;
  });
}

/** A register that takes `next` every cycle (or every enabled cycle). */
export function regNext(next: Signal, opts: Omit<RegOptions<BitsType>, 'next'> = {}): Signal {
  const r = reg(next.type, opts);
  r.set(next);
  return r;
}

// ----- memories -----

export interface MemoryOptions {
  name?: string;
  /** Initial contents from address 0; the rest is zero. */
  init?: readonly (number | bigint)[];
  /**
   * Lets testbenches load and read back the contents directly (memory images
   * in bulk simulation). Costs some Verilator optimisation of this memory.
   */
  testbenchAccess?: boolean;
}

/**
 * A synchronous memory with one write port and any number of read ports,
 * each with a read latency of one cycle. A read of an address being written
 * in the same cycle returns the old contents.
 */
export class Memory {
  constructor(
    private readonly b: ModuleBuilder,
    readonly rec: MemoryRec,
  ) {}

  /** Writes `data` at `addr` in this cycle, under the enclosing when() conditions. */
  write(addr: Signal, data: Operand): void {
    const loc = SourceLoc.capture();
    const b = currentBuilder(loc, 'Memory.write()');
    if (b !== this.b) throw new HwError(`memory '${this.rec.name}' belongs to module '${this.b.displayName}'`, loc);
    const earlier = b.directlyDriven(this.rec.writeEnable);
    if (earlier) {
      throw new HwError(
        `memory '${this.rec.name}' has one write port and is already written at ${earlier.short} in the same block; put the writes under different when() conditions`,
        loc,
      );
    }
    this.checkAddr(addr, loc);
    b.connect(this.rec.writeEnable, 1, loc);
    b.connect(this.rec.writeAddr, addr, loc);
    b.connect(this.rec.writeData, data, loc);
  }

  /**
   * Adds a read port reading `addr` when the enclosing when() conditions (and
   * `enable`, if given) hold; the data appears one cycle later and holds otherwise.
   */
  read(addr: Signal, enable?: Signal): Signal {
    const loc = SourceLoc.capture();
    const b = currentBuilder(loc, 'Memory.read()');
    if (b !== this.b) throw new HwError(`memory '${this.rec.name}' belongs to module '${this.b.displayName}'`, loc);
    this.checkAddr(addr, loc);
    if (enable) checkBool(enable, 'the enable of Memory.read()', loc);
    const i = this.rec.readPorts.length;
    const mk = (suffix: string, width: number): Signal => {
      const s = b.namedLeaf('wire', `${this.rec.name}_${suffix}${i}`, { kind: 'bits', width, signed: false }, loc);
      s.defaultValue = makeLiteral(0, width, false, loc);
      return s;
    };
    const en = mk('ren', 1);
    const ad = mk('raddr', this.rec.addrWidth);
    b.markDontCare(ad);
    const dataName = `${this.rec.name}_rdata${i}`;
    b.claimName(dataName, null, loc);
    const data = new Signal('memread', this.rec.width, this.rec.signed, b, loc, dataName);
    data.memory = this.rec;
    b.connect(en, enable ?? 1, loc);
    b.connect(ad, addr, loc);
    this.rec.readPorts.push({ enable: en, addr: ad, data });
    return data;
  }

  private checkAddr(addr: Signal, loc: SourceLoc): void {
    checkOperand(addr, loc);
    if (addr.signed || addr.width !== this.rec.addrWidth) {
      throw new HwError(
        `address of memory '${this.rec.name}' (depth ${this.rec.depth}) must be UInt(${this.rec.addrWidth}), but ${addr.describe()} is ${addr.typeName()}`,
        loc,
      );
    }
  }
}

export function mem(type: BitsType, depth: number, opts: MemoryOptions = {}): Memory {
  const loc = SourceLoc.capture();
  const b = currentBuilder(loc, 'mem()');
  if (!Number.isInteger(depth) || depth < 2) throw new HwError(`memory depth must be an integer of at least 2, got ${depth}`, loc);
  if (type.kind !== 'bits') throw new HwError('memory elements must be UInt or SInt', loc);
  const name = opts.name ?? `mem_${b.memories.length}`;
  checkIdentifier(name, 'memory', loc);
  b.claimName(name, null, loc);
  if (opts.init && opts.init.length > depth) {
    throw new HwError(`memory '${name}' has depth ${depth} but ${opts.init.length} initial values`, loc);
  }
  const init = opts.init?.map((v) => makeLiteral(v, type.width, type.signed, loc).value);
  const addrWidth = log2Ceil(depth);
  const mk = (suffix: string, width: number): Signal => {
    const s = b.namedLeaf('wire', `${name}_${suffix}`, { kind: 'bits', width, signed: suffix === 'wdata' && type.signed }, loc);
    s.defaultValue = makeLiteral(0, width, s.signed, loc);
    return s;
  };
  const rec: MemoryRec = {
    name,
    depth,
    width: type.width,
    signed: type.signed,
    addrWidth,
    init,
    testbenchAccess: opts.testbenchAccess ?? false,
    writeEnable: mk('we', 1),
    writeAddr: mk('waddr', addrWidth),
    writeData: mk('wdata', type.width),
    readPorts: [],
    loc,
  };
  // The write address and data matter only while writing.
  b.markDontCare(rec.writeAddr);
  b.markDontCare(rec.writeData);
  b.memories.push(rec);
  return new Memory(b, rec);
}

// ----- instances -----

export interface Instance<S extends IOSpec> {
  readonly name: string;
  /** The child's ports seen from the parent: its inputs are driven here, its outputs read. */
  readonly io: IOOf<S>;
}

/** Instantiates a child module with the given parameters. */
export function instance<P, S extends IOSpec>(def: ModuleDefinition<P, S>, params: P, opts: { name?: string } = {}): Instance<S> {
  const loc = SourceLoc.capture();
  const parent = currentBuilder(loc, 'instance()');
  const child = elaborateModule(def, params);
  const base = typeof def.name === 'string' ? def.name.charAt(0).toLowerCase() + def.name.slice(1) : 'u';
  const name = opts.name ?? parent.nextInstanceName(base);
  checkIdentifier(name, 'instance', loc);
  parent.claimName(name, null, loc);
  const rec: InstanceRec = { name, module: child, ports: new Map(), loc };
  const io = buildIO(child.spec, (p) => {
    const s = new Signal(p.dir === 'in' ? 'instIn' : 'instOut', p.type.width, p.type.signed, parent, loc);
    s.instance = rec;
    s.portName = p.name;
    rec.ports.set(p.name, s);
    return s;
  });
  parent.instances.push(rec);
  return { name, io: io as IOOf<S> };
}

/** Connects every leaf of two same-shaped aggregates: `to` is driven by `from`. */
export function connectAll(to: unknown, from: unknown): void {
  const loc = SourceLoc.capture();
  const b = currentBuilder(loc, 'connectAll()');
  const walk = (t: unknown, f: unknown, path: string): void => {
    if (t instanceof Signal || f instanceof Signal) {
      if (!(t instanceof Signal) || !(f instanceof Signal)) throw new HwError(`connectAll: shapes differ at '${path}'`, loc);
      b.connect(t, f, loc);
      return;
    }
    const tk = Object.keys(t as object);
    const fk = Object.keys(f as object);
    if (tk.join() !== fk.join()) throw new HwError(`connectAll: shapes differ at '${path || '.'}' (${tk} vs ${fk})`, loc);
    for (const k of tk) walk((t as Record<string, unknown>)[k], (f as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
  };
  walk(to, from, '');
}

export { buildTyped };
