/**
 * Accumulator headroom of a layer's workload, for the RTL testbenches: before a
 * workload is run, check that no exact sum leaves the accumulator, and name the
 * layer, pass and worst sum when one does.
 */
import { PASS_LAYOUT, checkPassOperands, convDirectInto, type ProductSink } from './conv-direct.ts';
import { TRAINING_PASSES, type ConvShape, type TrainingPass } from './conv-shape.ts';
import { AccumulatorOverflowError, DEFAULT_NUMBER_FORMAT, signedRange, validateNumberFormat, type NumberFormat } from './fixed-point.ts';
import { describeIndex4 } from './operand-check.ts';

export interface LayerOperands {
  readonly activations: Int32Array;
  readonly weights: Int32Array;
  readonly outputGradients: Int32Array;
}

export interface PassOverflowReport {
  readonly pass: TrainingPass;
  /** Largest |exact final sum| over the pass's outputs: what wrap-around would corrupt. */
  readonly worstCaseSum: number;
  /** Where worstCaseSum occurs, as named coordinates. */
  readonly worstAt: string;
  /** Largest sum of |products| into one output: bounds every partial sum in any accumulation order. */
  readonly worstAbsoluteSum: number;
  readonly overflows: boolean;
}

export interface OverflowReport {
  readonly layer: string;
  readonly accumulatorBits: number;
  readonly limit: { readonly min: number; readonly max: number };
  readonly passes: readonly PassOverflowReport[];
  readonly overflows: boolean;
}

class ExactSums implements ProductSink {
  readonly exact: Float64Array;
  readonly absolute: Float64Array;
  constructor(size: number) {
    this.exact = new Float64Array(size);
    this.absolute = new Float64Array(size);
  }
  add(i: number, product: number): void {
    this.exact[i]! += product;
    this.absolute[i]! += Math.abs(product);
  }
}

const PASS_OPERANDS: Record<TrainingPass, (o: LayerOperands) => [Int32Array, Int32Array]> = {
  forward: (o) => [o.activations, o.weights],
  inputGradient: (o) => [o.outputGradients, o.weights],
  weightGradient: (o) => [o.activations, o.outputGradients],
};

/** Exact sums of all three passes against the accumulator range. Cost: one direct convolution per pass. */
export function checkLayerOverflow(
  layer: string,
  shape: ConvShape,
  operands: LayerOperands,
  format: NumberFormat = DEFAULT_NUMBER_FORMAT,
): OverflowReport {
  validateNumberFormat(format);
  const limit = signedRange(format.accumulatorBits);
  const passes = TRAINING_PASSES.map((pass): PassOverflowReport => {
    const [first, second] = PASS_OPERANDS[pass](operands);
    checkPassOperands(pass, shape, first, second, format, layer);
    const resultDims = PASS_LAYOUT[pass].dims(shape)[2];
    const sums = new ExactSums(resultDims.reduce((a, b) => a * b, 1));
    convDirectInto(pass, shape, first, second, sums);
    let worstIndex = 0;
    let worstAbsoluteSum = 0;
    for (let i = 0; i < sums.exact.length; i++) {
      if (Math.abs(sums.exact[i]!) > Math.abs(sums.exact[worstIndex]!)) worstIndex = i;
      worstAbsoluteSum = Math.max(worstAbsoluteSum, sums.absolute[i]!);
    }
    const worstCaseSum = sums.exact.length === 0 ? 0 : sums.exact[worstIndex]!;
    return {
      pass,
      worstCaseSum,
      worstAt: describeIndex4(worstIndex, resultDims, PASS_LAYOUT[pass].resultNames),
      worstAbsoluteSum,
      overflows: worstCaseSum < limit.min || worstCaseSum > limit.max,
    };
  });
  return { layer, accumulatorBits: format.accumulatorBits, limit, passes, overflows: passes.some((p) => p.overflows) };
}

/** Throws an AccumulatorOverflowError naming the layer, pass and worst sum if the report shows an overflow. */
export function assertNoOverflow(report: OverflowReport): void {
  const bad = report.passes.find((p) => p.overflows);
  if (bad === undefined) return;
  throw new AccumulatorOverflowError(
    `layer ${report.layer}, ${bad.pass} pass: exact sum ${bad.worstCaseSum} at ${bad.worstAt} overflows the ` +
      `${report.accumulatorBits}-bit accumulator [${report.limit.min}, ${report.limit.max}]; ` +
      `scale the operand values down or widen the accumulator`,
    bad.worstCaseSum,
    report.accumulatorBits,
  );
}
