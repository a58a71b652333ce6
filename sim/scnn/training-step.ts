/**
 * A whole training step of a network on the PE array: every layer's operands
 * synthesised by a sparsity generator, each pass scheduled, run through an
 * executor (functional reference, cycle model or RTL), assembled and checked
 * against the golden layer, with the golden product accounting beside it.
 */
import { TRAINING_PASSES, type ConvShape, type TrainingPass } from '../golden/conv-shape.ts';
import { countRcpFast } from '../golden/rcp-count.ts';
import { toConvShape, type LayerSpec, type NetworkTable } from '../workloads/layer-table.ts';
import { getGenerator } from '../workloads/sparsity/generators.ts';
import type { ArrayConfig } from './array-config.ts';
import { fcMatrices, isFullyConnected, runPass, type UnitExecutor } from './layer-run.ts';
import type { ConvOperands, Matrix, PassSchedule } from './scheduler.ts';

export interface StepOptions {
  readonly batch: number;
  readonly sparsity: number;
  readonly generator: string;
  readonly seed: number;
  /** Layers to run: all by default; conv-only skips the fully-connected layers. */
  readonly layers?: 'all' | 'conv';
  readonly passes?: readonly TrainingPass[];
  /** Compare every assembled output with the golden layer (default true). */
  readonly check?: boolean;
}

/** Products the array is given for one pass and how many of them land in the output. */
export interface ProductAccounting {
  readonly products: number;
  readonly valid: number;
}

export interface StepPassResult<Stats> {
  readonly layer: string;
  readonly pass: TrainingPass;
  readonly shape: ConvShape;
  readonly mode: 'conv' | 'matmul';
  readonly units: number;
  readonly golden: ProductAccounting;
  readonly unitStats: readonly Stats[];
}

/** The Cartesian products a schedule hands the array (every stationary x broadcast pair of every segment); with PassSchedule.unformedProducts, the pass's. */
export function scheduledProducts(schedule: PassSchedule): number {
  let products = 0;
  for (const { unit } of schedule.units) {
    for (const pe of unit.pes) {
      for (const seg of pe.segments) {
        const b = unit.broadcastSegments[seg.broadcastSegment]!;
        products += (seg.end - seg.start) * (b.end - b.start);
      }
    }
  }
  return products;
}

/** Valid products of a fully-connected pass: every true term of the matrix product. */
export function matmulValid(shape: ConvShape, pass: TrainingPass, operands: ConvOperands): number {
  const { a, b } = fcMatrices(shape, pass, operands);
  return matrixProductTerms(a, b);
}

/** True terms of A · B: the sum over k of the non-zeros of column k of A times those of row k of B. */
export function matrixProductTerms(a: Matrix, b: Matrix): number {
  let valid = 0;
  for (let k = 0; k < a.cols; k++) {
    let na = 0;
    let nb = 0;
    for (let i = 0; i < a.rows; i++) if (a.values[i * a.cols + k] !== 0) na++;
    for (let j = 0; j < b.cols; j++) if (b.values[k * b.cols + j] !== 0) nb++;
    valid += na * nb;
  }
  return valid;
}

export function synthesizeLayer(layer: LayerSpec, index: number, options: StepOptions): { shape: ConvShape; operands: ConvOperands } {
  const shape = toConvShape(layer, options.batch);
  const operands = getGenerator(options.generator).synthesize(shape, {
    sparsity: options.sparsity,
    seed: options.seed,
    layerName: layer.name,
    // The first layer of every table reads the input image, which is dense.
    networkInput: index === 0,
  });
  return { shape, operands };
}

/**
 * Runs every selected layer and pass. `executorFor` gives the executor of one
 * layer pass (so an RTL executor can batch a pass's units into one model run);
 * `onPass` reports progress.
 */
export async function runTrainingStep<Stats>(
  table: NetworkTable,
  config: ArrayConfig,
  options: StepOptions,
  executorFor: (layer: LayerSpec, pass: TrainingPass) => UnitExecutor<Stats>,
  onPass?: (done: number, total: number, result: StepPassResult<Stats>) => void,
): Promise<StepPassResult<Stats>[]> {
  const passes = options.passes ?? TRAINING_PASSES;
  const layers = table.layers.filter((l) => (options.layers ?? 'all') === 'all' || l.kind === 'conv');
  const total = layers.length * passes.length;
  const results: StepPassResult<Stats>[] = [];
  for (const layer of layers) {
    const { shape, operands } = synthesizeLayer(layer, table.layers.indexOf(layer), options);
    const fc = isFullyConnected(shape);
    const convCounts = fc ? undefined : countRcpFast(shape, operands);
    for (const pass of passes) {
      const outcome = await runPass(shape, pass, operands, config, executorFor(layer, pass), { label: layer.name, check: options.check ?? true });
      const products = scheduledProducts(outcome.schedule) + outcome.schedule.unformedProducts;
      const golden = convCounts ? convCounts[pass] : { products, valid: matmulValid(shape, pass, operands) };
      if (golden.products !== products) {
        throw new Error(`${layer.name}, ${pass} pass: the schedule accounts for ${products} products (handed to the array or never formed); the golden count is ${golden.products}`);
      }
      const result: StepPassResult<Stats> = {
        layer: layer.name,
        pass,
        shape,
        mode: fc ? 'matmul' : 'conv',
        units: outcome.schedule.units.length,
        golden,
        unitStats: outcome.unitStats,
      };
      results.push(result);
      onPass?.(results.length, total, result);
    }
  }
  return results;
}
