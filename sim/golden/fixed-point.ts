/**
 * Integer arithmetic exactly as the accelerator datapath does it: w-bit signed
 * operands, exact 2w-bit products, A-bit two's-complement accumulators that wrap.
 *
 * Because wrapping is reduction modulo 2^A, a ring homomorphism, the wrapped result
 * does not depend on the order products are accumulated in: the dense, direct and
 * outer-product references therefore must agree bit for bit with the RTL whatever
 * order each of them uses.
 */

export interface NumberFormat {
  /** Width of each signed multiplier operand. */
  readonly operandBits: number;
  /** Width of each signed accumulator; sums wrap around at this width. */
  readonly accumulatorBits: number;
}

export const DEFAULT_NUMBER_FORMAT: NumberFormat = { operandBits: 16, accumulatorBits: 32 };

/**
 * Operands up to 24 bits keep every product below 2^47 and every accumulator
 * update (|acc| < 2^31 plus a product) below 2^53, so plain doubles stay exact.
 */
export const MAX_OPERAND_BITS = 24;
export const MAX_ACCUMULATOR_BITS = 32;

export interface SignedRange {
  readonly min: number;
  readonly max: number;
}

export function signedRange(bits: number): SignedRange {
  if (!Number.isInteger(bits) || bits < 1 || bits > 53) {
    throw new RangeError(`bit width must be an integer in [1, 53], got ${bits}`);
  }
  const half = 2 ** (bits - 1);
  return { min: -half, max: half - 1 };
}

export function validateNumberFormat(format: NumberFormat): NumberFormat {
  const { operandBits, accumulatorBits } = format;
  if (!Number.isInteger(operandBits) || operandBits < 2 || operandBits > MAX_OPERAND_BITS) {
    throw new RangeError(
      `operandBits must be an integer in [2, ${MAX_OPERAND_BITS}], got ${operandBits}`,
    );
  }
  if (
    !Number.isInteger(accumulatorBits) ||
    accumulatorBits < 2 ||
    accumulatorBits > MAX_ACCUMULATOR_BITS
  ) {
    throw new RangeError(
      `accumulatorBits must be an integer in [2, ${MAX_ACCUMULATOR_BITS}], got ${accumulatorBits}`,
    );
  }
  return format;
}

/**
 * Two's-complement wrap of an integer to `bits` bits. Exact for every safe
 * integer x: the shift operators reduce modulo 2^32 exactly (ECMAScript ToInt32).
 */
export function wrapSigned(x: number, bits: number): number {
  if (bits >= 1 && bits <= 32) {
    const shift = 32 - bits;
    return (x << shift) >> shift;
  }
  if (!Number.isInteger(bits) || bits < 1 || bits > 53) {
    throw new RangeError(`bit width must be an integer in [1, 53], got ${bits}`);
  }
  if (!Number.isSafeInteger(x)) {
    throw new RangeError(`wrapSigned needs a safe integer for widths above 32 bits, got ${x}`);
  }
  const modulus = 2 ** bits;
  const half = modulus / 2;
  return x - Math.floor((x + half) / modulus) * modulus;
}

/** BigInt twin of wrapSigned, for checking it and for arbitrarily wide values. */
export function wrapSignedBig(x: bigint, bits: number): bigint {
  return BigInt.asIntN(bits, x);
}

/** One multiply-accumulate step of the datapath: wrap(acc + a*b). */
export function macWrap(acc: number, a: number, b: number, accumulatorBits: number): number {
  return wrapSigned(acc + a * b, accumulatorBits);
}

/** Throws a clear error when an operand tensor holds a value the multipliers cannot take. */
export function assertOperandsFit(values: ArrayLike<number>, operandBits: number, label: string): void {
  const { min, max } = signedRange(operandBits);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min || v > max || !Number.isInteger(v)) {
      throw new RangeError(
        `${label}[${i}] = ${v} does not fit a ${operandBits}-bit signed operand [${min}, ${max}]; ` +
          `quantize the operand or raise operandBits`,
      );
    }
  }
}

export class AccumulatorOverflowError extends Error {
  constructor(
    message: string,
    readonly worstCaseSum: number,
    readonly accumulatorBits: number,
  ) {
    super(message);
    this.name = 'AccumulatorOverflowError';
  }
}

/** What a reference computation does when an exact sum leaves the accumulator range. */
export type OverflowPolicy = 'throw' | 'wrap';

export interface ComputeOptions {
  readonly format?: NumberFormat;
  /**
   * 'throw' (default): refuse to return a result that the hardware would have
   * wrapped, so no workload overflows unnoticed. 'wrap': return the wrapped values,
   * for testbenches that exercise wrap-around on purpose.
   */
  readonly onOverflow?: OverflowPolicy;
  /** Names the layer in error messages. */
  readonly label?: string;
}

/**
 * Accumulator file that holds both the wrapped value the hardware keeps and the
 * exact sum, so an overflow can be reported with the value it should have had.
 */
export class Accumulators {
  readonly wrapped: Int32Array;
  readonly exact: Float64Array;
  private readonly shift: number;

  constructor(
    size: number,
    readonly format: NumberFormat,
  ) {
    validateNumberFormat(format);
    this.wrapped = new Int32Array(size);
    this.exact = new Float64Array(size);
    this.shift = 32 - format.accumulatorBits;
  }

  add(index: number, product: number): void {
    const shift = this.shift;
    this.wrapped[index] = ((this.wrapped[index]! + product) << shift) >> shift;
    this.exact[index] = this.exact[index]! + product;
  }

  /**
   * The wrapped result, after checking every exact sum against the accumulator
   * range under `policy`. `describeIndex` turns a flat index into coordinates.
   */
  finish(policy: OverflowPolicy, label: string, describeIndex: (index: number) => string): Int32Array {
    if (policy === 'wrap') return this.wrapped;
    const { min, max } = signedRange(this.format.accumulatorBits);
    let worstIndex = -1;
    let worstMagnitude = 0;
    for (let i = 0; i < this.exact.length; i++) {
      const v = this.exact[i]!;
      if ((v < min || v > max) && Math.abs(v) > worstMagnitude) {
        worstMagnitude = Math.abs(v);
        worstIndex = i;
      }
    }
    if (worstIndex >= 0) {
      const sum = this.exact[worstIndex]!;
      throw new AccumulatorOverflowError(
        `${label}: exact sum ${sum} at ${describeIndex(worstIndex)} overflows the ` +
          `${this.format.accumulatorBits}-bit accumulator [${min}, ${max}]; scale the operands down, ` +
          `widen accumulatorBits, or pass onOverflow: 'wrap' to get the wrapped hardware result`,
        sum,
        this.format.accumulatorBits,
      );
    }
    return this.wrapped;
  }
}
