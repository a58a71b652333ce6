import { currentBuilder } from './context.ts';
import { HwError } from './errors.ts';
import { evaluate } from './evaluate.ts';
import type { InstanceRec, MemoryRec, ModuleBuilder } from './builder.ts';
import { checkIdentifier } from './names.ts';
import { SourceLoc } from './source.ts';
import type { BitsType } from './types.ts';
import type { IrOperator } from './ir.ts';

export type SignalKind =
  | 'lit' // constant
  | 'op' // combinational operator
  | 'input' // input port of the module
  | 'output' // output port of the module
  | 'wire'
  | 'reg'
  | 'memread' // registered read data of a memory read port
  | 'instIn' // input port of a child instance, driven by this module
  | 'instOut'; // output port of a child instance, read by this module

/** The operators of the IR (a switchOn's n-way select is made by when-lowering, on the IR). */
export type OpKind = IrOperator;

export type Operand = Signal | number | bigint;

const DRIVABLE: ReadonlySet<SignalKind> = new Set(['output', 'wire', 'reg', 'instIn']);

let nextId = 0;

// Shared by every signal that is not an operator: most signals of a large design are ports and state.
const NO_ARGS: Signal[] = Object.freeze([]) as unknown as Signal[];
const NO_IMM: number[] = Object.freeze([]) as unknown as number[];

/**
 * A hardware value: a node of the design graph with a fixed width and
 * signedness. Operators never widen or truncate silently: operands must agree,
 * and `extend`/`trunc`/`asSInt`/`asUInt` say what the user means.
 */
export class Signal {
  readonly id = nextId++;
  name: string | undefined;
  /** Operator and its operands, for kind 'op'. */
  op: OpKind | undefined;
  args: Signal[] = NO_ARGS;
  /** Immediate operands: shift amounts, slice bounds. */
  imm: number[] = NO_IMM;
  /** Value of a literal, as an unsigned bit pattern. */
  value = 0n;
  /** Name of the enum member a literal stands for, for readable Verilog. */
  enumLabel: string | undefined;
  /** Reset value of a register (bit pattern); undefined means no reset. */
  init: bigint | undefined;
  /** Register update enable. */
  enable: Signal | undefined;
  /** Value of a wire on paths where nothing drives it. */
  defaultValue: Signal | undefined;
  instance: InstanceRec | undefined;
  portName: string | undefined;
  memory: MemoryRec | undefined;
  /** The node id in its module's IR (for a literal: in the module recorded last that reads it, while `loweringStamp` matches). */
  irId = -1;
  loweringStamp = 0;

  constructor(
    readonly kind: SignalKind,
    readonly width: number,
    readonly signed: boolean,
    readonly owner: ModuleBuilder | null,
    public loc: SourceLoc,
    name?: string,
  ) {
    this.name = name;
  }

  get type(): BitsType {
    return { kind: 'bits', width: this.width, signed: this.signed };
  }

  /** How the signal is named in messages. */
  describe(): string {
    if (this.kind === 'lit') return `literal ${this.signed ? signedValue(this.value, this.width) : this.value}`;
    if ((this.kind === 'instIn' || this.kind === 'instOut') && this.instance) {
      return `${this.kind === 'instIn' ? 'input' : 'output'} '${this.portName}' of instance '${this.instance.name}'`;
    }
    const what = this.kind === 'op' ? `'${this.op}' result` : this.kind;
    return this.name ? `${what} '${this.name}'` : `${what} (${this.loc.exact})`;
  }

  typeName(): string {
    return `${this.signed ? 'SInt' : 'UInt'}(${this.width})`;
  }

  // ----- naming -----

  /**
   * Gives the value a name that the Verilog keeps. An unnamed operator result
   * takes the name itself; anything else (a port, a register, a literal, or
   * what extend/trunc/select hand back unchanged) gets a named alias wire.
   */
  named(name: string): Signal {
    const loc = SourceLoc.capture(Signal.prototype.named);
    checkIdentifier(name, 'signal', loc);
    const b = currentBuilder(loc, 'named()');
    checkOperand(this, loc);
    if (this.kind === 'op' && this.name === undefined) {
      b.claimName(name, loc);
      this.name = name;
      // A named value is a declaration: it gets a full location if its operator had none.
      placeOperators(this, loc);
      return this;
    }
    const alias = new Signal('op', this.width, this.signed, b, loc);
    alias.op = 'cast';
    alias.args = [this];
    placeOperators(this, loc);
    b.addNode(alias);
    b.claimName(name, loc);
    alias.name = name;
    return alias;
  }

  // ----- arithmetic -----

  /** Modular sum: same width as the operands (the carry is dropped). */
  add(rhs: Operand): Signal {
    return binarySameType('add', this, rhs, (w) => w);
  }
  /** Modular difference: same width as the operands. */
  sub(rhs: Operand): Signal {
    return binarySameType('sub', this, rhs, (w) => w);
  }
  /** Exact sum, one bit wider than the operands. */
  addFull(rhs: Operand): Signal {
    return widened('add', this, rhs);
  }
  /** Exact difference, one bit wider than the operands (signed for SInt, wraps for UInt below zero). */
  subFull(rhs: Operand): Signal {
    return widened('sub', this, rhs);
  }
  /** Exact product: width is the sum of the operand widths; operands may differ in width, not in signedness. */
  mul(rhs: Operand): Signal {
    const loc = SourceLoc.operator();
    const r = typeof rhs === 'object' ? rhs : coerce(rhs, this, loc);
    checkOperand(this, loc);
    checkOperand(r, loc);
    if (this.signed !== r.signed) signednessError('mul', this, r, loc);
    return makeOp('mul', [this, r], this.width + r.width, this.signed, [], loc);
  }
  /** Two's-complement negation, same width (SInt only). */
  neg(): Signal {
    const loc = SourceLoc.operator();
    checkOperand(this, loc);
    if (!this.signed) throw new HwError(`neg() needs an SInt; ${this.describe()} is ${this.typeName()}`, loc);
    return makeOp('neg', [this], this.width, true, [], loc);
  }

  // ----- bitwise -----

  and(rhs: Operand): Signal {
    return binarySameType('and', this, rhs, (w) => w);
  }
  or(rhs: Operand): Signal {
    return binarySameType('or', this, rhs, (w) => w);
  }
  xor(rhs: Operand): Signal {
    return binarySameType('xor', this, rhs, (w) => w);
  }
  not(): Signal {
    const loc = SourceLoc.operator();
    checkOperand(this, loc);
    return makeOp('not', [this], this.width, this.signed, [], loc);
  }

  // ----- comparison -----

  eq(rhs: Operand): Signal {
    return binarySameType('eq', this, rhs, () => 1, false);
  }
  ne(rhs: Operand): Signal {
    return binarySameType('ne', this, rhs, () => 1, false);
  }
  lt(rhs: Operand): Signal {
    return binarySameType('lt', this, rhs, () => 1, false);
  }
  le(rhs: Operand): Signal {
    return binarySameType('le', this, rhs, () => 1, false);
  }
  gt(rhs: Operand): Signal {
    return binarySameType('gt', this, rhs, () => 1, false);
  }
  ge(rhs: Operand): Signal {
    return binarySameType('ge', this, rhs, () => 1, false);
  }

  // ----- shifts (the width never changes) -----

  /** Shift left by a constant; bits shifted out are lost. */
  shl(n: number): Signal {
    return constShift('shl', this, n);
  }
  /** Shift right by a constant: logical for UInt, arithmetic for SInt. */
  shr(n: number): Signal {
    return constShift('shr', this, n);
  }
  /** Shift left by an unsigned amount. */
  shlBy(amount: Signal): Signal {
    return dynShift('dshl', this, amount);
  }
  /** Shift right by an unsigned amount: logical for UInt, arithmetic for SInt. */
  shrBy(amount: Signal): Signal {
    return dynShift('dshr', this, amount);
  }

  // ----- bit selection, resizing -----

  /** Bits hi..lo inclusive, as UInt(hi - lo + 1). */
  bits(hi: number, lo: number): Signal {
    const loc = SourceLoc.operator();
    checkOperand(this, loc);
    if (!Number.isInteger(hi) || !Number.isInteger(lo) || lo < 0 || hi < lo || hi >= this.width) {
      throw new HwError(`bits(${hi}, ${lo}) is out of range for ${this.describe()} of type ${this.typeName()}`, loc);
    }
    if (lo === 0 && hi === this.width - 1) return this.signed ? makeOp('cast', [this], this.width, false, [], loc) : this;
    return makeOp('bits', [this], hi - lo + 1, false, [hi, lo], loc);
  }
  /** One bit, as Bool. */
  bit(i: number): Signal {
    return this.bits(i, i);
  }
  /** The most significant bit. */
  msb(): Signal {
    return this.bits(this.width - 1, this.width - 1);
  }
  /** Widens to `width` bits: zero-extension for UInt, sign-extension for SInt. */
  extend(width: number): Signal {
    const loc = SourceLoc.operator();
    checkOperand(this, loc);
    if (!Number.isInteger(width) || width < this.width) {
      throw new HwError(
        `extend(${width}) cannot narrow ${this.describe()} of type ${this.typeName()}; use trunc(${width})`,
        loc,
      );
    }
    if (width === this.width) return this;
    return makeOp(this.signed ? 'sext' : 'zext', [this], width, this.signed, [], loc);
  }
  /** Keeps the low `width` bits, keeping the signedness. */
  trunc(width: number): Signal {
    const loc = SourceLoc.operator();
    checkOperand(this, loc);
    if (!Number.isInteger(width) || width < 1 || width > this.width) {
      throw new HwError(
        `trunc(${width}) cannot widen or empty ${this.describe()} of type ${this.typeName()}; use extend(${width})`,
        loc,
      );
    }
    if (width === this.width) return this;
    const low = makeOp('bits', [this], width, false, [width - 1, 0], loc);
    return this.signed ? makeOp('cast', [low], width, true, [], loc) : low;
  }
  /** The same bits read as SInt. */
  asSInt(): Signal {
    const loc = SourceLoc.operator();
    checkOperand(this, loc);
    return this.signed ? this : makeOp('cast', [this], this.width, true, [], loc);
  }
  /** The same bits read as UInt. */
  asUInt(): Signal {
    const loc = SourceLoc.operator();
    checkOperand(this, loc);
    return this.signed ? makeOp('cast', [this], this.width, false, [], loc) : this;
  }

  // ----- reductions -----

  andR(): Signal {
    return reduction('andr', this);
  }
  orR(): Signal {
    return reduction('orr', this);
  }
  xorR(): Signal {
    return reduction('xorr', this);
  }

  // ----- connection -----

  /**
   * Drives this wire, output, register (next state) or child input with `value`
   * under the enclosing `when` conditions. The last connection wins.
   */
  set(value: Operand): void {
    const loc = SourceLoc.connection();
    const b = currentBuilder(loc, 'set()');
    b.connect(this, value, loc);
  }
}

// ----------------------------------------------------------------------------

/**
 * Gives the operator nodes of `value`'s cone that have no location yet the
 * location of the statement using them (mode 'declarations'): the emitted
 * Verilog names a line for every temporary without a stack capture per
 * operator. Each node is placed once, so the walks cost the size of the design.
 */
export function placeOperators(value: Signal, loc: SourceLoc): void {
  if (value.loc !== SourceLoc.UNPLACED || loc === SourceLoc.UNPLACED) return;
  const work = [value];
  while (work.length > 0) {
    const s = work.pop()!;
    if (s.loc !== SourceLoc.UNPLACED) continue;
    s.loc = loc;
    for (const a of s.args) if (a.loc === SourceLoc.UNPLACED) work.push(a);
  }
}

export function signedValue(pattern: bigint, width: number): bigint {
  return BigInt.asIntN(width, pattern);
}

export function makeLiteral(value: number | bigint, width: number, signed: boolean, loc: SourceLoc): Signal {
  const v = BigInt(value);
  const min = signed ? -(1n << BigInt(width - 1)) : 0n;
  const max = signed ? (1n << BigInt(width - 1)) - 1n : (1n << BigInt(width)) - 1n;
  if (v < min || v > max) {
    throw new HwError(
      `literal ${v} does not fit ${signed ? 'SInt' : 'UInt'}(${width}) (range ${min}..${max})`,
      loc,
    );
  }
  const s = new Signal('lit', width, signed, null, loc);
  s.value = BigInt.asUintN(width, v);
  return s;
}

/** A literal of the given type. */
export function lit(value: number | bigint, type: BitsType): Signal {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new HwError(`literal ${value} is not a safe integer; pass a bigint`, SourceLoc.operator());
  }
  return makeLiteral(value, type.width, type.signed, SourceLoc.operator());
}

/** Turns a number into a literal of the same type as `like`. */
export function coerce(x: Operand, like: Signal | BitsType, loc: SourceLoc): Signal {
  if (x instanceof Signal) return x;
  if (typeof x === 'number' && !Number.isSafeInteger(x)) {
    throw new HwError(`operand ${x} is not a safe integer; pass a bigint`, loc);
  }
  return makeLiteral(x, like.width, like.signed, loc);
}

export function checkOperand(s: Signal, loc: SourceLoc): void {
  if (s.owner === null) return;
  const b = currentBuilder(loc, 'an operator');
  if (s.owner !== b) {
    throw new HwError(
      `${s.describe()} belongs to module '${s.owner.displayName}' (declared at ${s.loc.exact}) but is used in module '${b.displayName}': signals cross modules only through ports`,
      loc,
    );
  }
}

export function checkSameType(op: string, a: Signal, b: Signal, loc: SourceLoc): void {
  checkOperand(a, loc);
  checkOperand(b, loc);
  if (a.width !== b.width) {
    throw new HwError(
      `width mismatch in ${op}: ${a.describe()} is ${a.typeName()} but ${b.describe()} is ${b.typeName()}; widen or narrow one explicitly with .extend(w) or .trunc(w)`,
      loc,
    );
  }
  if (a.signed !== b.signed) signednessError(op, a, b, loc);
}

function signednessError(op: string, a: Signal, b: Signal, loc: SourceLoc): never {
  throw new HwError(
    `signedness mismatch in ${op}: ${a.describe()} is ${a.typeName()} but ${b.describe()} is ${b.typeName()}; convert explicitly with .asSInt() or .asUInt()`,
    loc,
  );
}

export function makeOp(op: OpKind, args: Signal[], width: number, signed: boolean, imm: number[], loc: SourceLoc): Signal {
  const b = currentBuilder(loc, `operator '${op}'`);
  const s = new Signal('op', width, signed, args.every((a) => a.kind === 'lit') ? null : b, loc);
  s.op = op;
  s.args = args;
  s.imm = imm;
  if (s.owner === null) {
    // Constant operands fold now, so the Verilog never slices a literal.
    const folded = new Signal('lit', width, signed, null, loc);
    folded.value = evaluate(s);
    return folded;
  }
  b.addNode(s);
  return s;
}

function binarySameType(
  op: OpKind,
  lhs: Signal,
  rhs: Operand,
  width: (w: number) => number,
  keepSign = true,
): Signal {
  const loc = SourceLoc.operator();
  const r = coerce(rhs, lhs, loc);
  checkSameType(op, lhs, r, loc);
  return makeOp(op, [lhs, r], width(lhs.width), keepSign ? lhs.signed : false, [], loc);
}

function widened(op: 'add' | 'sub', lhs: Signal, rhs: Operand): Signal {
  const loc = SourceLoc.operator();
  const r = coerce(rhs, lhs, loc);
  checkSameType(`${op}Full`, lhs, r, loc);
  const w = lhs.width + 1;
  return makeOp(op, [lhs.extend(w), r.extend(w)], w, lhs.signed, [], loc);
}

function constShift(op: 'shl' | 'shr', s: Signal, n: number): Signal {
  const loc = SourceLoc.operator();
  checkOperand(s, loc);
  if (!Number.isInteger(n) || n < 0) throw new HwError(`${op}(${n}): the shift amount must be a non-negative integer`, loc);
  if (n === 0) return s;
  return makeOp(op, [s], s.width, s.signed, [n], loc);
}

function dynShift(op: 'dshl' | 'dshr', s: Signal, amount: Signal): Signal {
  const loc = SourceLoc.operator();
  checkOperand(s, loc);
  checkOperand(amount, loc);
  if (amount.signed) throw new HwError(`shift amount ${amount.describe()} must be a UInt, not ${amount.typeName()}`, loc);
  if (amount.width > 20) throw new HwError(`shift amount ${amount.describe()} is ${amount.width} bits wide; at most 20 bits are allowed`, loc);
  return makeOp(op, [s, amount], s.width, s.signed, [], loc);
}

function reduction(op: 'andr' | 'orr' | 'xorr', s: Signal): Signal {
  const loc = SourceLoc.operator();
  checkOperand(s, loc);
  if (s.width === 1 && !s.signed) return s;
  return makeOp(op, [s], 1, false, [], loc);
}

export function checkBool(cond: Signal, what: string, loc: SourceLoc): void {
  checkOperand(cond, loc);
  if (cond.width !== 1 || cond.signed) {
    throw new HwError(`${what} must be a Bool, but ${cond.describe()} is ${cond.typeName()}`, loc);
  }
}

export function isDrivable(s: Signal): boolean {
  return DRIVABLE.has(s.kind);
}
