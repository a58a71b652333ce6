/**
 * dsg: operation reduction of dimension-reduction search (DSG, Liu et al.,
 * ICLR 2019: 2.3-4.4x fewer operations) at several keep ratios, and the cost of
 * the projection step. Operations are counted exactly on the `dsg` generator's
 * operands (sim/workloads/sparsity/dsg.ts) with the golden RCP counters:
 *
 *  - dense: valid products of the three passes with dense operands (padding taps
 *    excluded, the same counter as the sparse figures);
 *  - input-sparse array: valid products when every zero operand is skipped
 *    (what an SCNN/ANT-like array with perfect RCP elimination multiplies);
 *  - DSG: as above, but the forward pass computes only the selected output
 *    neurons (DSG's own saving), each over its non-zero inputs;
 *  - projection: multiply-adds of the sparse random projection, by the stated
 *    model in `projectionOperations`.
 *
 * Cycles: every layer's three passes also run on the PE array (element
 * anticipation) with the dsg operands and with dense operands (the same
 * generator keeping every neuron), each pass of a layer cut to the same slice
 * when it is sampled. The array computes every output neuron, so the cycles
 * show what an ANT-like array gains from DSG's sparsity, not DSG's own
 * output selection.
 */
import { countRcpDense, countRcpFast, type PassCounts } from '../golden/rcp-count.ts';
import { outputHeight, outputWidth, TRAINING_PASSES, type ConvShape } from '../golden/conv-shape.ts';
import { countNonZeros } from '../golden/dense-array.ts';
import { toConvShape } from '../workloads/layer-table.ts';
import { getNetwork } from '../workloads/networks/index.ts';
import { forEachPatchEntry } from '../workloads/sparsity/dsg.ts';
import { getGenerator, type LayerWorkload } from '../workloads/sparsity/generators.ts';
import type { TrainingPass } from '../golden/conv-shape.ts';
import { arrayOf, runLayerPasses, selectedLayers, validateLayerSettings } from './array-experiments.ts';
import { engineMadeBy } from './pe-array-engines.ts';
import { unitId, type Comparison, type CsvRow, type Experiment, type ExperimentSettings, type WorkUnit } from './experiment.ts';
import { formatNumber } from './output.ts';
import { describeSample } from './pass-sampling.ts';

/** Cartesian products of one layer pass above which the array run is sampled (dense passes of VGG16 reach 10^10). */
export const DSG_MAX_PRODUCTS = 20_000_000;

/** Reduced dimensions of the projection (the default of sim/workloads/sparsity/dsg.ts). */
export const DSG_PROJECTION_DIM = 16;

export interface DsgLayerOperations {
  readonly layer: string;
  readonly keep: number;
  readonly dense: PassCounts;
  readonly sparse: PassCounts;
  /** Forward products of selected outputs with their non-zero inputs. */
  readonly forwardSelected: number;
  readonly projection: number;
  readonly density: { readonly activations: number; readonly outputGradients: number };
}

/**
 * Multiply-adds of DSG's projection for one layer, expected count: each of the
 * N*E*F input patches (C*R*S values) and each of the K filters is multiplied by a
 * (C*R*S) x k matrix whose entries are non-zero with probability 1/3, then every
 * output neuron's estimate is a k-long dot product.
 */
export function projectionOperations(shape: ConvShape, k = DSG_PROJECTION_DIM): number {
  const { batch: N, inChannels: C, outChannels: K, kernelHeight: R, kernelWidth: S } = shape;
  const positions = N * outputHeight(shape) * outputWidth(shape);
  const patch = C * R * S;
  return Math.round(((positions + K) * patch * k) / 3) + positions * K * k;
}

/**
 * Forward products DSG performs: for every selected output neuron (n, k, e, f),
 * the non-zero inputs of its patch. Weights must be dense (they are in DSG), so
 * a neuron's count is its patch's non-zero count.
 */
export function forwardSelectedProducts(shape: ConvShape, activations: Int32Array, weights: Int32Array, selected: Uint8Array): number {
  if (countNonZeros(weights) !== weights.length) throw new RangeError('forwardSelectedProducts counts dense weights only, as DSG has');
  const { batch: N, outChannels: K } = shape;
  const E = outputHeight(shape);
  const F = outputWidth(shape);
  const patchNonZeros = new Float64Array(N * E * F);
  forEachPatchEntry(shape, activations, (n, position) => patchNonZeros[n * E * F + position]!++);
  let total = 0;
  for (let n = 0; n < N; n++)
    for (let k = 0; k < K; k++)
      for (let pos = 0; pos < E * F; pos++) if (selected[(n * K + k) * E * F + pos]) total += patchNonZeros[n * E * F + pos]!;
  return total;
}

/** One pass of a layer on the array, element anticipation: cycles of the whole pass (scaled up from its slice when sampled). */
export interface DsgPassCycles {
  readonly pass: TrainingPass;
  readonly cycles: number;
  readonly sample: string;
  readonly scale: number;
}

export interface DsgLayerResult extends DsgLayerOperations {
  readonly index: number;
  readonly passes: readonly DsgPassCycles[];
}

/** The `dsg` generator's operands of one layer; the first layer of a table reads the input image, which is dense. */
export function dsgWorkload(shape: ConvShape, layerName: string, index: number, sparsity: number, seed: number): LayerWorkload {
  return getGenerator('dsg').synthesize(shape, { sparsity, seed, layerName, networkInput: index === 0 });
}

/** The operation counts of one layer on its dsg operands (`dsgWorkload`). */
export function dsgLayerOperations(shape: ConvShape, layerName: string, sparsity: number, workload: LayerWorkload): DsgLayerOperations {
  const dense = countRcpDense(shape);
  if (sparsity === 0) {
    return {
      layer: layerName, keep: 1, dense, sparse: dense, forwardSelected: dense.forward.valid,
      projection: 0, density: { activations: 1, outputGradients: 1 },
    };
  }
  return {
    layer: layerName,
    keep: keepRatio(sparsity),
    dense,
    sparse: countRcpFast(shape, workload),
    forwardSelected: forwardSelectedProducts(shape, workload.activations, workload.weights, workload.outputActivationMask!),
    projection: projectionOperations(shape),
    density: {
      activations: countNonZeros(workload.activations) / workload.activations.length,
      outputGradients: countNonZeros(workload.outputGradients) / workload.outputGradients.length,
    },
  };
}

/** 1 - sparsity without binary noise (1 - 0.8 is 0.19999999999999996). */
export function keepRatio(sparsity: number): number {
  return Number((1 - sparsity).toFixed(9));
}

const sumValid = (c: PassCounts) => TRAINING_PASSES.reduce((s, p) => s + c[p].valid, 0);

function ratio(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

function withDenseBaseline(settings: Pick<ExperimentSettings, 'sparsities'>): number[] {
  return settings.sparsities.includes(0) ? [...settings.sparsities] : [0, ...settings.sparsities];
}

const sumCycles = (layers: readonly DsgLayerResult[]) => layers.reduce((s, l) => s + l.passes.reduce((t, p) => t + p.cycles, 0), 0);

export const dsgExperiment: Experiment = {
  name: 'dsg',
  title: 'DSG: operation reduction by dimension-reduction search',
  reproduces: 'DSG (ICLR 2019): 2.3-4.4x operation reduction in training with dimension-reduction search',
  accepts: ['nets', 'sparsities', 'batch', 'seed', 'array', 'engine', 'layers', 'maxProducts', 'validateRtl'],
  defaults: {
    nets: [
      { name: 'vgg16', input: 'cifar' },
      { name: 'resnet18', input: 'cifar' },
    ],
    sparsities: [0.5, 0.7, 0.8, 0.9],
    maxProducts: DSG_MAX_PRODUCTS,
  },
  validate: (settings) => validateLayerSettings(settings, 'dsg'),
  workUnits(settings) {
    const units: WorkUnit[] = [];
    for (const net of settings.nets) {
      const table = getNetwork(net.name, net.input);
      // Sparsity 0 is the dense baseline of the cycle figures; it runs once even when not asked for.
      for (const sparsity of withDenseBaseline(settings)) {
        for (const index of selectedLayers(settings, table)) {
          const layer = table.layers[index]!;
          units.push({
            id: unitId(`${net.name}-${net.input}`, `s${sparsity}`, `${String(index).padStart(3, '0')}-${layer.name}`),
            params: { net: net.name, input: net.input, sparsity, layerIndex: index, layer: layer.name },
          });
        }
      }
    }
    return units;
  },
  async runUnit(unit, settings, context): Promise<DsgLayerResult> {
    const table = getNetwork(String(unit.params.net), unit.params.input as 'cifar' | 'imagenet');
    const index = Number(unit.params.layerIndex);
    const layer = table.layers[index]!;
    const sparsity = Number(unit.params.sparsity);
    const shape = toConvShape(layer, settings.batch);
    const workload = dsgWorkload(shape, layer.name, index, sparsity, settings.seed);
    const operations = dsgLayerOperations(shape, layer.name, sparsity, workload);
    // Sampled passes of the dense and the dsg run of a layer are planned by the dense products, so both cut the same slice.
    const planProducts = Object.fromEntries(TRAINING_PASSES.map((p) => [p, operations.dense[p].products])) as Record<TrainingPass, number>;
    const records = await runLayerPasses(shape, workload, {
      array: arrayOf(settings), engine: context.engine, modes: ['element'], passes: TRAINING_PASSES,
      maxProducts: settings.maxProducts, seed: settings.seed, label: layer.name, planProducts,
    });
    const passes = records.map((r) => ({ pass: r.pass, cycles: r.byMode.element!.cycles, sample: describeSample(r.sample), scale: r.sample.scale }));
    return { ...operations, index, passes };
  },
  report(settings, units, results) {
    const rows: CsvRow[] = [];
    const configs = new Map<string, { net: string; input: string; sparsity: number; layers: DsgLayerResult[] }>();
    units.forEach((u, i) => {
      const key = `${u.params.net}|${u.params.input}|${u.params.sparsity}`;
      if (!configs.has(key)) configs.set(key, { net: String(u.params.net), input: String(u.params.input), sparsity: Number(u.params.sparsity), layers: [] });
      configs.get(key)!.layers.push(results[i] as DsgLayerResult);
    });
    const denseRun = (net: string, input: string) => configs.get(`${net}|${input}|0`)!.layers;
    const asked = [...configs.values()].filter((c) => settings.sparsities.includes(c.sparsity));
    const figures = asked.map((c) => {
      let dense = 0;
      let sparse = 0;
      let dsg = 0;
      let projection = 0;
      let denseForward = 0;
      const baseline = denseRun(c.net, c.input);
      c.layers.forEach((l, i) => {
        const d = sumValid(l.dense);
        const s = sumValid(l.sparse);
        const g = l.forwardSelected + l.sparse.inputGradient.valid + l.sparse.weightGradient.valid;
        dense += d;
        sparse += s;
        dsg += g;
        projection += l.projection;
        denseForward += l.dense.forward.valid;
        const denseCycles = sumCycles([baseline[i]!]);
        const dsgCycles = sumCycles([l]);
        rows.push({
          network: c.net, input: c.input, keep: keepRatio(c.sparsity), layer: l.layer,
          denseOps: d, inputSparseOps: s, dsgOps: g, projectionOps: l.projection,
          reductionInputSparse: ratio(d, s), reductionDsg: ratio(d, g), reductionDsgWithProjection: ratio(d, g + l.projection),
          activationDensity: l.density.activations, outputGradientDensity: l.density.outputGradients,
          denseCycles, dsgCycles, cycleSpeedup: ratio(denseCycles, dsgCycles),
          sample: l.passes.map((p) => `${p.pass}: ${p.sample}`).join('; '),
        });
      });
      const denseCycles = sumCycles(baseline);
      const dsgCycles = sumCycles(c.layers);
      const sampledPasses = [...c.layers, ...baseline].reduce((n, l) => n + l.passes.filter((p) => p.scale !== 1).length, 0);
      rows.push({
        network: c.net, input: c.input, keep: keepRatio(c.sparsity), layer: '(all layers)',
        denseOps: dense, inputSparseOps: sparse, dsgOps: dsg, projectionOps: projection,
        reductionInputSparse: ratio(dense, sparse), reductionDsg: ratio(dense, dsg), reductionDsgWithProjection: ratio(dense, dsg + projection),
        activationDensity: null, outputGradientDensity: null,
        denseCycles, dsgCycles, cycleSpeedup: ratio(denseCycles, dsgCycles), sample: `${sampledPasses} sampled passes`,
      });
      return {
        network: c.net, input: c.input, sparsity: c.sparsity, keep: keepRatio(c.sparsity),
        denseOps: dense, inputSparseOps: sparse, dsgOps: dsg, projectionOps: projection,
        reductionInputSparse: ratio(dense, sparse),
        reductionDsg: ratio(dense, dsg),
        reductionDsgWithProjection: ratio(dense, dsg + projection),
        projectionShareOfDenseForward: ratio(projection, denseForward),
        denseCycles, dsgCycles, cycleSpeedup: ratio(denseCycles, dsgCycles), sampledPasses,
      };
    });

    const comparisons: Comparison[] = settings.nets.map((net) => {
      const mine = figures.filter((f) => f.network === net.name && f.input === net.input);
      const lo = Math.min(...mine.map((f) => f.reductionDsgWithProjection));
      const hi = Math.max(...mine.map((f) => f.reductionDsgWithProjection));
      const keeps = mine.map((f) => f.keep.toFixed(2)).join(', ');
      return {
        claim: `operation reduction, ${net.name} (${net.input}), projection included, keep ${keeps}`,
        published: '2.3–4.4×',
        publishedValue: 4.4,
        ours: hi,
        oursText: `${lo.toFixed(2)}–${hi.toFixed(2)}×`,
        ratio: hi / 4.4,
        madeBy: 'golden RCP counters on dsg operands',
      };
    });

    const markdown = [
      '## Operations of one training step against dense',
      '',
      '"dense" counts the valid products of the three passes with dense operands; "input-sparse" skips every zero operand (an array with perfect RCP elimination); "DSG" also computes only the selected output neurons in the forward pass; "+ projection" adds the projection step (model: patches and filters times a (C·R·S)×16 matrix of density 1/3, then a 16-long dot product per output neuron). The ratio column in the table above compares the largest reduction with the paper\'s 4.4×.',
      '',
      '| network | input | keep | input-sparse | DSG | DSG + projection | projection / dense forward |',
      '|---|---|---|---|---|---|---|',
      ...figures.map(
        (f) =>
          `| ${f.network} | ${f.input} | ${f.keep.toFixed(2)} | ${f.reductionInputSparse.toFixed(2)}× | ${f.reductionDsg.toFixed(2)}× | ${f.reductionDsgWithProjection.toFixed(2)}× | ${(100 * f.projectionShareOfDenseForward).toFixed(1)}% |`,
      ),
      '',
      '## Cycles of one training step on the array against dense',
      '',
      `The three passes of every layer on the ${settings.array.px}x${settings.array.py} array (element anticipation), with the dsg operands and with dense operands (keep 1.00), batch ${settings.batch}, seed ${settings.seed}. The array computes every output neuron, so DSG's forward selection is not in these cycles; what is in them is the sparsity of X and dY that DSG makes. The projection step is not run on the array.`,
      '',
      '| network | input | keep | dense cycles | DSG cycles | speedup | sampled passes (dense + DSG) |',
      '|---|---|---|---|---|---|---|',
      ...figures.map(
        (f) => `| ${f.network} | ${f.input} | ${f.keep.toFixed(2)} | ${formatNumber(Math.round(f.denseCycles))} | ${formatNumber(Math.round(f.dsgCycles))} | ${f.cycleSpeedup.toFixed(2)}× | ${f.sampledPasses} |`,
      ),
      '',
      figures.some((f) => f.sampledPasses)
        ? `Passes with more than ${settings.maxProducts === null ? '(none)' : formatNumber(settings.maxProducts)} dense Cartesian products ran as a seeded slice scaled by the exact whole/slice ratio; a layer's dense and DSG runs use the same slice (docs/experiments.md, "Sampling"). Run with \`--max-products all\` for exact cycles.`
        : 'Every pass ran whole: the cycles are exact for the array cycle model.',
      '',
    ].join('\n');

    const lines = figures.flatMap((f) => [
      { network: `${f.network} (${f.input})`, keep: f.keep, measure: 'DSG + projection', reduction: f.reductionDsgWithProjection },
      { network: `${f.network} (${f.input})`, keep: f.keep, measure: 'input-sparse array', reduction: f.reductionInputSparse },
      { network: `${f.network} (${f.input})`, keep: f.keep, measure: 'array cycles', reduction: f.cycleSpeedup },
    ]);
    const plot = {
      name: 'operation-reduction',
      title: 'DSG against dense, by keep ratio: operations and array cycles',
      spec: {
        width: 360,
        height: 240,
        layer: [
          {
            data: { values: [{ low: 2.3, high: 4.4 }] },
            mark: { type: 'rect', opacity: 0.15, color: '#f28e2b' },
            encoding: { y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' } },
          },
          {
            data: { values: [{ label: 'DSG paper: 2.3–4.4×', y: 4.4 }] },
            mark: { type: 'text', align: 'left', dx: 4, dy: -6, color: '#b35c00' },
            encoding: { y: { field: 'y', type: 'quantitative' }, x: { datum: Math.min(...figures.map((f) => f.keep)) }, text: { field: 'label' } },
          },
          {
            data: { values: lines },
            mark: { type: 'line', point: true },
            encoding: {
              x: { field: 'keep', type: 'quantitative', title: 'keep ratio (1 − sparsity)' },
              y: { field: 'reduction', type: 'quantitative', title: 'dense / sparse (×): operations, or cycles' },
              color: { field: 'network', type: 'nominal', title: 'network' },
              strokeDash: { field: 'measure', type: 'nominal', title: 'counted as', legend: { symbolType: 'stroke', symbolStrokeColor: '#555' } },
            },
          },
        ],
      },
    };
    return {
      figures: { projectionDim: DSG_PROJECTION_DIM, runs: figures },
      comparisons,
      rows,
      markdown,
      plots: [plot],
      madeBy: `golden RCP counters (sim/golden/rcp-count.ts) and DSG selection (sim/workloads/sparsity/dsg.ts); cycles: ${engineMadeBy(settings.engine)}`,
    };
  },
};
