/**
 * sparsert: sparse weights times dense activations in the array's matrix mode,
 * against the same layers with dense weights on the same array. SparseRT
 * (PACT 2020): 1x1 convolutions and fully-connected layers 3.4x faster than
 * dense at 90% weight sparsity, 5.4x at 95%.
 *
 * Each layer's inference product Y = W · X runs as C = A · B with A = W (K x C,
 * the pruned operand, stationary in the PEs) and B = X (C x N·E·F: one column
 * per sample and output pixel; a strided 1x1 convolution reads every s-th
 * pixel). Weights come from the `prune` generator (magnitude top-K per
 * tensor), activations dense; the dense run is the same generator at sparsity
 * 0. Anticipation element in both runs.
 */
import { outputHeight, outputWidth, type ConvShape } from '../golden/conv-shape.ts';
import type { ArrayCounters } from '../scnn/array-cycle-model.ts';
import type { ConvOperands, Matrix } from '../scnn/scheduler.ts';
import { matrixProductTerms, synthesizeLayer } from '../scnn/training-step.ts';
import { getNetwork } from '../workloads/networks/index.ts';
import type { LayerSpec } from '../workloads/layer-table.ts';
import { arrayOf, geomean, validateArraySettings } from './array-experiments.ts';
import type { PeArrayEngine } from './engine.ts';
import { engineMadeBy } from './pe-array-engines.ts';
import { unitId, type Comparison, type CsvRow, type Experiment, type ExperimentSettings, type WorkUnit } from './experiment.ts';
import { formatNumber } from './output.ts';
import { describeSample, planPassSample, scaleCounters, slicePass, type PassSample } from './pass-sampling.ts';
import { SettingsError } from './settings.ts';

export const SPARSERT_MAX_PRODUCTS = 20_000_000;
/**
 * A sampled product keeps every row of W and every column of X (both are cut
 * over the PEs: a chunk smaller than the grid would change the parallelism)
 * and cuts the reduction C: every reduction step costs alike, so the chunk's
 * cycles scale, and the window groups and their drains are those of the whole.
 */
const SPARSERT_CUTS = ['C'] as const;
const PUBLISHED: Record<string, number> = { '0.9': 3.4, '0.95': 5.4 };

/** 1x1 convolutions and fully-connected layers: the layers SparseRT times. ResNet-50 gives both; AlexNet and VGG16 their FC layers. */
export function sparsertLayers(net: string, layers: readonly LayerSpec[]): number[] {
  return layers.flatMap((l, i) => (l.kind === 'fc' || (net === 'resnet50' && l.kernel === 1) ? [i] : []));
}

/** Y = W · X as a matrix product: A = W (K x C), B = X (C x N·E·F) at the output pixels of a 1x1 kernel. */
export function weightTimesActivations(shape: ConvShape, operands: ConvOperands): { a: Matrix; b: Matrix } {
  const { batch: N, inChannels: C, outChannels: K, height: H, width: W, kernelHeight: R, kernelWidth: S, stride, padding } = shape;
  if (R !== 1 || S !== 1 || padding !== 0) throw new RangeError(`sparsert runs 1x1 kernels without padding; got ${R}x${S}, padding ${padding}`);
  const E = outputHeight(shape);
  const F = outputWidth(shape);
  const cols = N * E * F;
  const b = new Int32Array(C * cols);
  for (let c = 0; c < C; c++)
    for (let n = 0; n < N; n++)
      for (let e = 0; e < E; e++)
        for (let f = 0; f < F; f++) b[c * cols + (n * E + e) * F + f] = operands.activations[((n * C + c) * H + e * stride) * W + f * stride]!;
  return { a: { rows: K, cols: C, values: operands.weights }, b: { rows: C, cols, values: b } };
}

export interface SparsertRun {
  /** 0 = dense weights. */
  readonly sparsity: number;
  readonly sample: PassSample;
  readonly units: number;
  /** Runs the array cut the (sliced) product into. */
  readonly runs: number;
  /** Drains of runs that end inside a window group (scaled with the sample); part of counters.drainCycles. */
  readonly runCutDrainCycles: number;
  /** Exact true terms of the whole product. */
  readonly valid: number;
  readonly counters: ArrayCounters;
}

export interface SparsertLayerResult {
  readonly layer: string;
  readonly index: number;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly runs: readonly SparsertRun[];
}

async function runProduct(layer: LayerSpec, index: number, sparsity: number, settings: ExperimentSettings, engine: PeArrayEngine): Promise<SparsertRun> {
  const { shape, operands } = synthesizeLayer(layer, index, { batch: settings.batch, sparsity, generator: 'prune', seed: settings.seed });
  const whole = weightTimesActivations(shape, operands);
  const valid = matrixProductTerms(whole.a, whole.b);
  const array = arrayOf(settings);
  const sample = planPassSample(shape, 'forward', valid * array.top.px, settings.maxProducts, settings.seed, layer.name, SPARSERT_CUTS);
  const slice = slicePass(shape, operands, sample);
  const { a, b } = sample.scale === 1 ? whole : weightTimesActivations(slice.shape, slice.operands);
  const r = await engine.run({ array, work: { kind: 'matmul', a, b }, modes: ['element'], label: layer.name });
  return { sparsity, sample, units: r.units, runs: r.runs, runCutDrainCycles: r.runCutDrainCycles * sample.scale, valid, counters: scaleCounters(r.byMode.element!, sample, 'forward', r.runCutDrainCycles) };
}

interface NetworkCurve {
  readonly network: string;
  readonly input: string;
  readonly points: { sparsity: number; denseCycles: number; sparseCycles: number; speedup: number; layerGeomean: number }[];
}

export const sparsertExperiment: Experiment = {
  name: 'sparsert',
  title: 'SparseRT: 1x1 convolutions and FC layers at high weight sparsity',
  reproduces: 'SparseRT (PACT 2020): 1x1 convolutions and FC layers 3.4x faster than dense at 90% weight sparsity, 5.4x at 95%',
  accepts: ['nets', 'sparsities', 'batch', 'seed', 'array', 'engine', 'layers', 'maxProducts', 'validateRtl'],
  defaults: {
    nets: [
      { name: 'resnet50', input: 'imagenet' },
      { name: 'alexnet', input: 'imagenet' },
      { name: 'vgg16', input: 'imagenet' },
    ],
    sparsities: [0.5, 0.7, 0.8, 0.9, 0.95, 0.98],
    batch: 1,
    maxProducts: SPARSERT_MAX_PRODUCTS,
  },
  validate(settings) {
    validateArraySettings(settings, 'sparsert');
    if (settings.sparsities.includes(0)) throw new SettingsError('sparsert runs dense weights as its baseline; give sparsities above 0');
    for (const net of settings.nets) {
      const table = getNetwork(net.name, net.input);
      const mine = sparsertLayers(net.name, table.layers);
      const bad = settings.layers.find((i) => !mine.includes(i));
      if (bad !== undefined) throw new SettingsError(`--layers ${bad}: sparsert runs layers ${mine.join(',')} of ${net.name} (${net.input}) (its 1x1 and FC layers)`);
    }
  },
  workUnits(settings) {
    const units: WorkUnit[] = [];
    for (const net of settings.nets) {
      const table = getNetwork(net.name, net.input);
      for (const index of sparsertLayers(net.name, table.layers)) {
        if (settings.layers.length && !settings.layers.includes(index)) continue;
        units.push({ id: unitId(`${net.name}-${net.input}`, `${String(index).padStart(3, '0')}-${table.layers[index]!.name}`), params: { net: net.name, input: net.input, layerIndex: index, layer: table.layers[index]!.name } });
      }
    }
    return units;
  },
  async runUnit(unit, settings, context): Promise<SparsertLayerResult> {
    const table = getNetwork(String(unit.params.net), unit.params.input as 'cifar' | 'imagenet');
    const index = Number(unit.params.layerIndex);
    const layer = table.layers[index]!;
    const runs: SparsertRun[] = [];
    for (const sparsity of [0, ...settings.sparsities]) runs.push(await runProduct(layer, index, sparsity, settings, context.engine));
    const e = layer.kind === 'fc' ? 1 : Math.floor((layer.inputSize - 1) / layer.stride) + 1;
    return { layer: layer.name, index, m: layer.outChannels, k: layer.inChannels, n: settings.batch * e * e, runs };
  },
  report(settings, units, results) {
    const layers = results as SparsertLayerResult[];
    const rows: CsvRow[] = [];
    const byNet = new Map<string, SparsertLayerResult[]>();
    units.forEach((u, i) => {
      const key = `${u.params.net}|${u.params.input}`;
      byNet.set(key, [...(byNet.get(key) ?? []), layers[i]!]);
    });
    const curve = (list: readonly SparsertLayerResult[], sparsity: number) => {
      const dense = list.reduce((s, l) => s + l.runs[0]!.counters.cycles, 0);
      const sparse = list.reduce((s, l) => s + l.runs.find((r) => r.sparsity === sparsity)!.counters.cycles, 0);
      const layerGeomean = geomean(list.map((l) => l.runs[0]!.counters.cycles / l.runs.find((r) => r.sparsity === sparsity)!.counters.cycles));
      return { sparsity, denseCycles: dense, sparseCycles: sparse, speedup: dense / sparse, layerGeomean };
    };
    const curves: NetworkCurve[] = [...byNet.entries()].map(([key, list]) => {
      const [network = '', input = ''] = key.split('|');
      for (const l of list) {
        for (const r of l.runs) {
          rows.push({
            network, input, layer: l.layer, m: l.m, k: l.k, n: l.n, sparsity: r.sparsity, sample: describeSample(r.sample), scale: r.sample.scale, units: r.units, runs: r.runs,
            cycles: r.counters.cycles, computeCycles: r.counters.computeCycles, drainCycles: r.counters.drainCycles, validProducts: r.counters.validProducts, goldenValid: r.valid,
            busySlots: r.counters.busySlots, speedupOverDense: l.runs[0]!.counters.cycles / r.counters.cycles,
          });
        }
      }
      return { network, input, points: settings.sparsities.map((s) => curve(list, s)) };
    });
    const overall = settings.sparsities.map((s) => curve(layers, s));

    const comparisons: Comparison[] = overall
      .filter((p) => PUBLISHED[String(p.sparsity)] !== undefined)
      .map((p) => ({
        claim: `speedup over dense weights at ${p.sparsity * 100}% weight sparsity, all 1x1 and FC layers (total cycles)`,
        published: `${PUBLISHED[String(p.sparsity)]}x`,
        publishedValue: PUBLISHED[String(p.sparsity)]!,
        ours: p.speedup,
        oursText: `${p.speedup.toFixed(2)}x (geomean over layers ${p.layerGeomean.toFixed(2)}x)`,
        ratio: p.speedup / PUBLISHED[String(p.sparsity)]!,
        madeBy: engineMadeBy(settings.engine),
      }));
    const sampled = layers.reduce((s, l) => s + l.runs.filter((r) => r.sample.scale !== 1).length, 0);
    const md = [
      '## Speedup of sparse weights over dense weights on the same array',
      '',
      '| network | ' + settings.sparsities.map((s) => `${s}`).join(' | ') + ' |',
      '|---|' + settings.sparsities.map(() => '---|').join(''),
      ...curves.map((c) => `| ${c.network} (${c.input}) | ${c.points.map((p) => `${p.speedup.toFixed(2)}x`).join(' | ')} |`),
      `| all layers | ${overall.map((p) => `${p.speedup.toFixed(2)}x`).join(' | ')} |`,
      '',
      `Total cycles of the layers with dense weights / with pruned weights (\`prune\` generator, activations dense), matrix mode, anticipation element, ${settings.array.px}x${settings.array.py} array, batch ${settings.batch}, seed ${settings.seed}. Dense cycles in all: ${formatNumber(Math.round(overall[0]?.denseCycles ?? 0))}.`,
      sampled
        ? `**Sampled:** ${sampled} products had more than ${formatNumber(settings.maxProducts ?? 0)} Cartesian products and ran as a seeded slice (a chunk of the reduction C) scaled by the exact ratio; results.csv names each.`
        : 'Every product ran whole: exact for the array cycle model.',
      '',
    ].join('\n');

    const values = [
      ...curves.flatMap((c) => c.points.map((p) => ({ series: `${c.network} (${c.input})`, sparsity: p.sparsity, speedup: p.speedup }))),
      ...overall.map((p) => ({ series: 'all layers', sparsity: p.sparsity, speedup: p.speedup })),
    ];
    const published = Object.entries(PUBLISHED).map(([s, v]) => ({ sparsity: Number(s), speedup: v, series: 'SparseRT (published)' }));
    const plots = [
      {
        name: 'speedup-vs-sparsity',
        title: 'Sparse weights x dense activations: speedup over dense weights on the same array',
        spec: {
          layer: [
            {
              data: { values },
              mark: { type: 'line', point: true },
              encoding: {
                x: { field: 'sparsity', type: 'quantitative', title: 'weight sparsity', axis: { format: '%' }, scale: { domain: [0.5, 1] } },
                y: { field: 'speedup', type: 'quantitative', title: 'speedup over dense (x)' },
                color: { field: 'series', type: 'nominal', title: null },
              },
            },
            {
              data: { values: published },
              mark: { type: 'point', shape: 'diamond', size: 90, filled: true, color: '#000' },
              encoding: { x: { field: 'sparsity', type: 'quantitative' }, y: { field: 'speedup', type: 'quantitative' }, tooltip: { field: 'series' } },
            },
          ],
          width: 360,
          height: 240,
        },
      },
    ];
    return { figures: { curves, overall, layers }, comparisons, rows, markdown: md, plots, madeBy: engineMadeBy(settings.engine) };
  },
};
