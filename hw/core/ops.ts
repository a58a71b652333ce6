import { currentBuilder } from './context.ts';
import { HwError } from './errors.ts';
import type { WhenChain } from './builder.ts';
import { checkBool, checkOperand, checkSameType, coerce, makeLiteral, makeOp, Signal, type Operand } from './signal.ts';
import { SourceLoc } from './source.ts';

/** `cond ? a : b`; a and b must have the same type (numbers take the other's type). */
export function mux(cond: Signal, a: Operand, b: Operand): Signal {
  const loc = SourceLoc.operator();
  checkBool(cond, 'the select of mux()', loc);
  const [x, y] = pairUp(a, b, loc, 'mux');
  checkSameType('mux', x, y, loc);
  return makeOp('mux', [cond, x, y], x.width, x.signed, [], loc);
}

function pairUp(a: Operand, b: Operand, loc: SourceLoc, what: string): [Signal, Signal] {
  if (a instanceof Signal) return [a, coerce(b, a, loc)];
  if (b instanceof Signal) return [coerce(a, b, loc), b];
  throw new HwError(`${what}() needs at least one signal operand to know the width; give a value as lit(v, UInt(w))`, loc);
}

/** Concatenation, first argument in the most significant bits; the result is UInt. */
export function cat(...parts: Signal[]): Signal {
  const loc = SourceLoc.operator();
  if (parts.length === 0) throw new HwError('cat() needs at least one signal', loc);
  for (const p of parts) checkOperand(p, loc);
  if (parts.length === 1) return parts[0]!.asUInt();
  return makeOp('cat', parts, parts.reduce((w, p) => w + p.width, 0), false, [], loc);
}

/** Repeats a signal n times, as UInt. */
export function fill(n: number, s: Signal): Signal {
  const loc = SourceLoc.operator();
  if (!Number.isInteger(n) || n < 1) throw new HwError(`fill() needs a positive count, got ${n}`, loc);
  return n === 1 ? s.asUInt() : cat(...Array.from({ length: n }, () => s));
}

/** The value of the first case whose condition holds, else `otherwise`. */
export function priorityMux(cases: readonly (readonly [Signal, Operand])[], otherwise: Operand): Signal {
  let acc: Operand = otherwise;
  for (let i = cases.length - 1; i >= 0; i--) {
    const [c, v] = cases[i]!;
    acc = mux(c, v, acc);
  }
  if (!(acc instanceof Signal)) throw new HwError('priorityMux() needs at least one signal value', SourceLoc.capture());
  return acc;
}

/**
 * Selects values[i] where select bit i is set; select must be one-hot (or
 * zero, giving zero). Built as an AND-OR tree, the cheapest form in gates.
 */
export function oneHotMux(select: Signal, values: readonly Signal[]): Signal {
  const loc = SourceLoc.operator();
  if (select.width !== values.length) {
    throw new HwError(`oneHotMux(): select ${select.describe()} has ${select.width} bits for ${values.length} values`, loc);
  }
  const first = values[0]!;
  const terms = values.map((v, i) => {
    checkSameType('oneHotMux', first, v, loc);
    return mux(select.bit(i), v, makeLiteral(0, v.width, v.signed, loc));
  });
  return reduceTree(terms, (a, b) => a.or(b));
}

/** From this many values on, an index that covers them exactly makes one 'select' node. */
const MIN_INDEXED_SELECT = 8;

/** Dynamic index into an array of same-typed signals; out-of-range indices give the last element. */
export function select(values: readonly Signal[], index: Signal): Signal {
  const loc = SourceLoc.operator();
  if (values.length === 0) throw new HwError('select() needs at least one value', loc);
  checkOperand(index, loc);
  if (index.signed) throw new HwError(`select() index ${index.describe()} must be a UInt`, loc);
  if (values.length >= MIN_INDEXED_SELECT && values.length === 2 ** index.width) {
    for (const v of values) checkSameType('select', values[0]!, v, loc);
    if (index.kind === 'lit') return values[Number(index.value)]!;
    // One indexed read (an array in Verilog): simulators copy the chosen value instead of running a
    // tree of 2:1 muxes, and synthesis sees one wide multiplexer instead of n - 1 intermediate values.
    return makeOp('select', [index, ...values], values[0]!.width, values[0]!.signed, [], loc);
  }
  // A balanced tree over the index bits: log2(n) levels of 2:1 muxes.
  let level = [...values];
  for (let bit = 0; level.length > 1; bit++) {
    if (bit >= index.width) break;
    const next: Signal[] = [];
    for (let i = 0; i < level.length; i += 2) {
      next.push(i + 1 < level.length ? mux(index.bit(bit), level[i + 1]!, level[i]!) : level[i]!);
    }
    level = next;
  }
  return level[0]!;
}

/** Reduces a list pairwise as a balanced tree (log depth). */
export function reduceTree(xs: readonly Signal[], f: (a: Signal, b: Signal) => Signal): Signal {
  if (xs.length === 0) throw new HwError('reduceTree() needs at least one signal', SourceLoc.capture());
  let level = [...xs];
  while (level.length > 1) {
    const next: Signal[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(f(level[i]!, level[i + 1]!));
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
  }
  return level[0]!;
}

// ----------------------------------------------------------------------------

export class SwitchBuilder {
  private chain: WhenChain | null = null;
  private readonly seen = new Map<bigint, SourceLoc>();

  constructor(
    private readonly sel: Signal,
    private readonly loc: SourceLoc,
  ) {}

  /** Runs `body` when the selector equals one of `values`. */
  is(values: Operand | readonly Operand[], body: () => void): this {
    const loc = SourceLoc.capture(SwitchBuilder.prototype.is);
    const list = (Array.isArray(values) ? values : [values]) as Operand[];
    if (list.length === 0) throw new HwError('switchOn().is() needs at least one value', loc);
    const lits = list.map((v) => {
      const s = coerce(v, this.sel, loc);
      if (s.kind !== 'lit') throw new HwError(`switchOn().is() values must be constants, not ${s.describe()}`, loc);
      if (s.width !== this.sel.width || s.signed !== this.sel.signed) {
        throw new HwError(`switchOn() case ${s.describe()} is ${s.typeName()} but the selector is ${this.sel.typeName()}`, loc);
      }
      const prev = this.seen.get(s.value);
      if (prev) throw new HwError(`switchOn() case value ${s.value} appears twice (first at ${prev.short})`, loc);
      this.seen.set(s.value, loc);
      return s;
    });
    // The condition serves messages and the loop check; the emitted logic is one case node per target.
    const cond = lits.map((l) => this.sel.eq(l)).reduce((a, b) => a.or(b));
    const label = `switchOn().is(${lits.map((l) => (l.signed ? BigInt.asIntN(l.width, l.value) : l.value)).join(', ')})`;
    const labels = lits.map((l) => l.value);
    if (this.chain) this.chain.addCase(cond, labels, label, loc, body);
    else this.chain = currentBuilder(loc, 'switchOn().is()').when(cond, body, loc, { sel: this.sel, values: labels, label, at: this.loc });
    return this;
  }

  /** Runs `body` when no case matched. */
  otherwise(body: () => void): void {
    if (!this.chain) throw new HwError('switchOn().otherwise() needs at least one is() before it', SourceLoc.capture());
    this.chain.otherwise(body);
  }
}

/** `switch` on a value: `switchOn(op).is(0, () => ...).is([1, 2], () => ...).otherwise(() => ...)`. */
export function switchOn(sel: Signal): SwitchBuilder {
  const loc = SourceLoc.capture(switchOn);
  currentBuilder(loc, 'switchOn()');
  checkOperand(sel, loc);
  return new SwitchBuilder(sel, loc);
}
