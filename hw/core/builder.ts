import { HwError, throwProblems } from './errors.ts';
import { checkIdentifier, CLOCK, RESET } from './names.ts';
import type { Direction, FlatPort, IOSpec } from './ports.ts';
import { checkBool, checkOperand, coerce, isDrivable, placeOperators, Signal, type Operand } from './signal.ts';
import { SourceLoc } from './source.ts';
import type { BitsType } from './types.ts';
import type { IrModule } from './ir.ts';
import { recordModule } from './record.ts';
import { lowerWhens } from './passes/lower-whens.ts';
import { findCombinationalLoop } from './passes/comb-loops.ts';
import { withCombPaths } from './passes/comb-paths.ts';
import type { AnyModuleDefinition } from './module.ts';

// Statements recorded by a module body

export interface ConnectStmt {
  readonly kind: 'connect';
  readonly target: Signal;
  readonly value: Signal;
  readonly loc: SourceLoc;
}

/** One branch of a when / elseWhen / switchOn chain. */
export interface WhenArm {
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
export interface WhenStmt {
  readonly kind: 'when';
  readonly arms: WhenArm[];
  readonly otherwise: Block;
  readonly loc: SourceLoc;
  /** The selector of a switchOn: its arms are mutually exclusive. */
  readonly switchOn?: Signal;
  closed: boolean;
}

export type Stmt = ConnectStmt | WhenStmt;

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

  /** The body's statements, as it runs. */
  readonly body = new Block();
  private current = this.body;
  private readonly names = new Map<string, SourceLoc>();
  private readonly instanceCounts = new Map<string, number>();
  /** Wires whose value matters only on the paths that drive them. */
  readonly dontCares = new Set<Signal>();
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
   * Records the module as IR, lowers its `when`s to drivers and runs the
   * checks on it, reporting every problem found together. The recording
   * state is dropped: from here on the IR is the module.
   */
  finish(): IrModule {
    const { module: lowered, problems } = lowerWhens(recordModule(this, new Set(this.names.keys())));
    const loop = findCombinationalLoop(lowered);
    if (loop) problems.push(loop);
    throwProblems(problems, `module '${this.displayName}'`);
    const ir = withCombPaths(lowered);
    this.ir = ir;
    this.finished = true;
    // Drop the recording state: a large design keeps only its IR while its parents elaborate.
    this.body.stmts.length = 0;
    this.body.direct.clear();
    this.dontCares.clear();
    this.nodes.length = 0;
    this.wires.length = 0;
    this.regs.length = 0;
    this.memories.length = 0;
    this.instances.length = 0;
    return ir;
  }
}

export class WhenChain {
  constructor(
    private readonly b: ModuleBuilder,
    private readonly parent: Block,
    private readonly stmt: WhenStmt,
  ) {}

  elseWhen(cond: Signal, body: () => void): WhenChain {
    this.b.extendWhen(this.parent, this.stmt, cond, body, SourceLoc.capture(WhenChain.prototype.elseWhen), 'elseWhen()');
    return this;
  }

  otherwise(body: () => void): void {
    this.b.extendWhen(this.parent, this.stmt, null, body, SourceLoc.capture(WhenChain.prototype.otherwise), 'otherwise()');
  }

  /** Used by switchOn: one more `is()` arm. */
  addCase(cond: Signal, values: readonly bigint[], label: string, loc: SourceLoc, body: () => void): void {
    this.b.extendWhen(this.parent, this.stmt, cond, body, loc, label, values);
  }
}
