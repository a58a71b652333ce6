/**
 * Runs one pass of one layer on the PE array through any executor of work
 * units (the functional reference, the cycle model or the RTL), assembles the
 * output and checks it against the golden direct computation bit for bit.
 * Fully-connected layers run in matrix-multiplication mode.
 */
import { convForwardDirect, convInputGradientDirect, convWeightGradientDirect } from '../golden/conv-direct.ts';
import type { ConvShape, TrainingPass } from '../golden/conv-shape.ts';
import type { ArrayConfig } from './array-config.ts';
import { assembleOutput } from './assemble.ts';
import { scheduleConvPass, scheduleMatmul, type ConvOperands, type Matrix, type PassSchedule } from './scheduler.ts';
import type { WorkUnit } from './work-unit.ts';

export interface UnitOutcome<Stats> {
  /** Drained accumulator window of every PE. */
  readonly windows: readonly Int32Array[];
  readonly stats: Stats;
}

/** Executes work units: `index` and `count` place the unit within its pass, for progress and messages. */
export type UnitExecutor<Stats> = (unit: WorkUnit, index: number, count: number) => Promise<UnitOutcome<Stats>> | UnitOutcome<Stats>;

export interface PassOutcome<Stats> {
  readonly schedule: PassSchedule;
  readonly output: Int32Array;
  readonly unitStats: readonly Stats[];
}

export class OutputMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputMismatchError';
  }
}

/** The pass's operands as matrices when the layer is fully connected (1 x 1 map, 1 x 1 kernel). */
export function fcMatrices(shape: ConvShape, pass: TrainingPass, operands: ConvOperands): { a: Matrix; b: Matrix } {
  const { batch: N, inChannels: C, outChannels: K } = shape;
  const transpose = (m: Int32Array, rows: number, cols: number): Int32Array => {
    const t = new Int32Array(m.length);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = m[i * cols + j]!;
    return t;
  };
  switch (pass) {
    case 'forward': // Y (N x K) = X (N x C) . W^T (C x K)
      return { a: { rows: N, cols: C, values: operands.activations }, b: { rows: C, cols: K, values: transpose(operands.weights, K, C) } };
    case 'inputGradient': // dX (N x C) = dY (N x K) . W (K x C)
      return { a: { rows: N, cols: K, values: operands.outputGradients }, b: { rows: K, cols: C, values: operands.weights } };
    case 'weightGradient': // dW (K x C) = dY^T (K x N) . X (N x C)
      return { a: { rows: K, cols: N, values: transpose(operands.outputGradients, N, K) }, b: { rows: N, cols: C, values: operands.activations } };
  }
}

export function isFullyConnected(shape: ConvShape): boolean {
  return shape.height === 1 && shape.width === 1 && shape.kernelHeight === 1 && shape.kernelWidth === 1 && shape.padding === 0;
}

export function schedulePass(shape: ConvShape, pass: TrainingPass, operands: ConvOperands, config: ArrayConfig, label: string): PassSchedule {
  if (isFullyConnected(shape)) {
    const { a, b } = fcMatrices(shape, pass, operands);
    return scheduleMatmul(a, b, config, label);
  }
  return scheduleConvPass(shape, pass, operands, config, label);
}

export function goldenPassOutput(shape: ConvShape, pass: TrainingPass, operands: ConvOperands, label = 'layer'): Int32Array {
  const opts = { onOverflow: 'throw' as const, label };
  switch (pass) {
    case 'forward':
      return convForwardDirect(shape, operands.activations, operands.weights, opts);
    case 'inputGradient':
      return convInputGradientDirect(shape, operands.outputGradients, operands.weights, opts);
    case 'weightGradient':
      return convWeightGradientDirect(shape, operands.activations, operands.outputGradients, opts);
  }
}

/** First differing element, described for a message, or undefined when equal. */
export function firstMismatch(got: Int32Array, expected: Int32Array): string | undefined {
  if (got.length !== expected.length) return `length ${got.length}, expected ${expected.length}`;
  for (let i = 0; i < got.length; i++) {
    if (got[i] !== expected[i]) return `element ${i} is ${got[i]}, expected ${expected[i]}`;
  }
  return undefined;
}

/**
 * Schedules, executes and assembles one pass; with `check`, compares the result
 * with the golden direct computation (matrix layout for fully-connected layers)
 * and throws an OutputMismatchError naming the first differing element.
 */
export async function runPass<Stats>(
  shape: ConvShape,
  pass: TrainingPass,
  operands: ConvOperands,
  config: ArrayConfig,
  execute: UnitExecutor<Stats>,
  options: { label: string; check: boolean },
): Promise<PassOutcome<Stats>> {
  const schedule = schedulePass(shape, pass, operands, config, options.label);
  // Computed first: an accumulator overflow is refused before any unit runs.
  const golden = options.check ? goldenPassOutput(shape, pass, operands, options.label) : undefined;
  const windows: (readonly Int32Array[])[] = [];
  const unitStats: Stats[] = [];
  for (let i = 0; i < schedule.units.length; i++) {
    const outcome = await execute(schedule.units[i]!.unit, i, schedule.units.length);
    windows.push(outcome.windows);
    unitStats.push(outcome.stats);
  }
  const output = assembleOutput(schedule, windows);
  if (golden) {
    // Fully-connected results come out as matrices: Y is N x K and dX is N x C as in NCHW with 1 x 1 maps; dW is K x C, as KCRS with R = S = 1.
    const mismatch = firstMismatch(output, golden);
    if (mismatch) throw new OutputMismatchError(`${options.label}, ${pass} pass: the array's output differs from the golden model: ${mismatch}`);
  }
  return { schedule, output, unitStats };
}
