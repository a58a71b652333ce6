/**
 * RCP accounting of a whole network's training step: per layer and pass, the
 * dense MACs, the Cartesian products an SCNN-like outer-product array issues, how
 * many are valid, the RCPs, and the ideal cycle bound of a machine with M
 * multipliers. Dense operands use the closed form; sparse ones the exact fast
 * counter on operands synthesised by the chosen generator.
 */
import { TRAINING_PASSES, denseMacs, outputHeight, outputWidth, rcpFraction, type ProductCounts, type TrainingPass } from '../golden/conv-shape.ts';
import { countNonZeros } from '../golden/dense-array.ts';
import { DEFAULT_NUMBER_FORMAT, type NumberFormat } from '../golden/fixed-point.ts';
import { assertSeed } from '../golden/random.ts';
import { countRcpDense, countRcpFast, type PassCounts } from '../golden/rcp-count.ts';
import { toConvShape, type NetworkTable } from './layer-table.ts';
import { getGenerator } from './sparsity/generators.ts';

/** SCNN: 8 x 8 PEs with a 4 x 4 multiplier array each. */
export const SCNN_MULTIPLIERS = 1024;

export interface RcpRunOptions {
  readonly sparsity: number;
  readonly generator: string;
  readonly seed: number;
  readonly batch: number;
  readonly multipliers: number;
  readonly format?: NumberFormat;
  /** Called after each layer, e.g. to advance a progress bar. */
  readonly onLayer?: (done: number, total: number) => void;
}

export interface PassReport {
  /** Dense multiply-accumulates of the pass (padding taps included), identical for the three passes. */
  readonly macs: number;
  readonly products: number;
  readonly valid: number;
  readonly redundant: number;
  readonly rcpFraction: number;
  /** ceil(valid / M): cycles of an ideal machine that never issues an RCP. */
  readonly idealCycles: number;
  /** ceil(products / M): cycles of an ideal machine that issues every Cartesian product. */
  readonly cartesianCycles: number;
}

export interface LayerReport {
  readonly name: string;
  readonly kind: 'conv' | 'fc';
  readonly shape: {
    readonly C: number; readonly K: number; readonly H: number; readonly W: number;
    readonly R: number; readonly S: number; readonly E: number; readonly F: number;
    readonly stride: number; readonly padding: number; readonly batch: number;
  };
  /** Measured fraction of non-zeros in each operand. */
  readonly density: { readonly activations: number; readonly weights: number; readonly outputGradients: number };
  readonly passes: Record<TrainingPass, PassReport>;
}

export type TotalKey = TrainingPass | 'training';

export interface NetworkRcpReport {
  readonly network: string;
  readonly input: string;
  readonly source: string;
  readonly generator: string;
  readonly sparsity: number;
  readonly seed: number;
  readonly batch: number;
  readonly multipliers: number;
  readonly layers: readonly LayerReport[];
  readonly totals: Record<TotalKey, PassReport>;
}

export function validateRunOptions(options: RcpRunOptions): void {
  if (!(options.sparsity >= 0 && options.sparsity <= 1)) {
    throw new RangeError(`sparsity must be a number in [0, 1], got ${options.sparsity}`);
  }
  assertSeed(options.seed);
  if (!Number.isInteger(options.batch) || options.batch < 1) throw new RangeError(`batch must be a positive integer, got ${options.batch}`);
  if (!Number.isInteger(options.multipliers) || options.multipliers < 1) {
    throw new RangeError(`multipliers must be a positive integer, got ${options.multipliers}`);
  }
  getGenerator(options.generator);
}

function passReport(macs: number, counts: ProductCounts, multipliers: number): PassReport {
  return {
    macs,
    products: counts.products,
    valid: counts.valid,
    redundant: counts.products - counts.valid,
    rcpFraction: rcpFraction(counts),
    idealCycles: Math.ceil(counts.valid / multipliers),
    cartesianCycles: Math.ceil(counts.products / multipliers),
  };
}

function addReports(a: PassReport, b: PassReport): PassReport {
  const products = a.products + b.products;
  const valid = a.valid + b.valid;
  return {
    macs: a.macs + b.macs,
    products,
    valid,
    redundant: products - valid,
    rcpFraction: products === 0 ? 0 : (products - valid) / products,
    idealCycles: a.idealCycles + b.idealCycles,
    cartesianCycles: a.cartesianCycles + b.cartesianCycles,
  };
}

const ZERO_REPORT: PassReport = { macs: 0, products: 0, valid: 0, redundant: 0, rcpFraction: 0, idealCycles: 0, cartesianCycles: 0 };

export function runNetworkRcp(table: NetworkTable, options: RcpRunOptions): NetworkRcpReport {
  validateRunOptions(options);
  const generator = getGenerator(options.generator);
  const layers: LayerReport[] = [];
  table.layers.forEach((layer, index) => {
    const shape = toConvShape(layer, options.batch);
    let counts: PassCounts;
    let density = { activations: 1, weights: 1, outputGradients: 1 };
    if (options.sparsity === 0) {
      counts = countRcpDense(shape);
    } else {
      const workload = generator.synthesize(shape, {
        sparsity: options.sparsity,
        seed: options.seed,
        layerName: layer.name,
        format: options.format ?? DEFAULT_NUMBER_FORMAT,
        // The first layer of every table reads the image.
        networkInput: index === 0,
      });
      counts = countRcpFast(shape, workload);
      density = {
        activations: countNonZeros(workload.activations) / workload.activations.length,
        weights: countNonZeros(workload.weights) / workload.weights.length,
        outputGradients: countNonZeros(workload.outputGradients) / workload.outputGradients.length,
      };
    }
    const macs = denseMacs(shape);
    const passes = Object.fromEntries(
      TRAINING_PASSES.map((pass) => [pass, passReport(macs, counts[pass], options.multipliers)]),
    ) as Record<TrainingPass, PassReport>;
    layers.push({
      name: layer.name,
      kind: layer.kind,
      shape: {
        C: shape.inChannels, K: shape.outChannels, H: shape.height, W: shape.width,
        R: shape.kernelHeight, S: shape.kernelWidth, E: outputHeight(shape), F: outputWidth(shape),
        stride: shape.stride, padding: shape.padding, batch: shape.batch,
      },
      density,
      passes,
    });
    options.onLayer?.(index + 1, table.layers.length);
  });
  const totals = {} as Record<TotalKey, PassReport>;
  for (const pass of TRAINING_PASSES) totals[pass] = layers.reduce((sum, l) => addReports(sum, l.passes[pass]), ZERO_REPORT);
  totals.training = TRAINING_PASSES.reduce((sum, pass) => addReports(sum, totals[pass]), ZERO_REPORT);
  for (const [key, report] of Object.entries(totals)) {
    if (!Number.isSafeInteger(report.products)) {
      throw new RangeError(`${key} product count ${report.products} exceeds exact integer range; lower --batch`);
    }
  }
  return {
    network: table.name,
    input: table.input,
    source: table.source,
    generator: generator.name,
    sparsity: options.sparsity,
    seed: options.seed,
    batch: options.batch,
    multipliers: options.multipliers,
    layers,
    totals,
  };
}
