/**
 * lstm: structured gate-gradient sparsity in an LSTM's backward pass. Zhu et
 * al. 2018 (structurally sparsified backward propagation): zeroing whole gate
 * units of the gate gradient makes the backward pass up to 45% faster than
 * dense, and faster than unstructured sparsity of the same density.
 *
 * The LSTM layer of the paper's language model (1,500 hidden units) is one
 * fully-connected product per time step: gates (N x 4H) = [x, h] (N x 2H) ·
 * W (2H x 4H), here 3,000 -> 6,000. Its backward is the input gradient
 * d[x, h] = dGates · W^T and the weight gradient dW = [x, h]^T · dGates, both in
 * the array's matrix mode (sim/scnn/layer-run.ts fcMatrices), anticipation
 * element. Three gate gradients: dense; structured (the `lstm` generator:
 * whole gate columns zeroed); unstructured (the same non-zeros moved to seeded
 * random positions: equal density, no structure). x, h and W dense.
 */
import { TRAINING_PASSES, type ConvShape } from '../golden/conv-shape.ts';
import { deriveSeed, Rng } from '../golden/random.ts';
import type { ArrayCounters } from '../scnn/array-cycle-model.ts';
import type { ConvOperands } from '../scnn/scheduler.ts';
import { synthesizeLayer } from '../scnn/training-step.ts';
import { fcLayer } from '../workloads/layer-table.ts';
import { arrayOf, runLayerPasses, sumCounters, validateArraySettings, type PassRecord } from './array-experiments.ts';
import { engineMadeBy } from './pe-array-engines.ts';
import { unitId, type Comparison, type CsvRow, type Experiment, type ExperimentSettings } from './experiment.ts';
import { formatNumber } from './output.ts';
import { describeSample } from './pass-sampling.ts';
import { SettingsError } from './settings.ts';

/** Hidden units of the paper's LSTM language model. */
export const LSTM_HIDDEN = 1500;
export const LSTM_LAYER = fcLayer('lstm-gates', 2 * LSTM_HIDDEN, 4 * LSTM_HIDDEN);
const BACKWARD = TRAINING_PASSES.filter((p) => p !== 'forward');
const PUBLISHED_FASTER = 0.45;
/**
 * A sampled pass keeps every row and every gate column of the gate gradient
 * (its structure) and cuts the [x, h] side C; the dense, structured and
 * unstructured runs share one slice (planned by the dense products, the same
 * seed and label), so they are compared on the same columns.
 */
const LSTM_CUTS = { inputGradient: ['C'], weightGradient: ['C'] } as const;
export const LSTM_MAX_PRODUCTS = 100_000_000;

export type GateGradient = 'dense' | 'structured' | 'unstructured';

/** The same values at seeded random positions (Fisher-Yates over the whole tensor): the density of `values` without its structure. */
export function scatterNonZeros(values: Int32Array, seed: number): Int32Array {
  const out = Int32Array.from(values);
  const rng = new Rng(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}

export function lstmOperands(kind: GateGradient, sparsity: number, settings: Pick<ExperimentSettings, 'batch' | 'seed'>): { shape: ConvShape; operands: ConvOperands } {
  const layer = synthesizeLayer(LSTM_LAYER, 1, { batch: settings.batch, sparsity: kind === 'dense' ? 0 : sparsity, generator: 'lstm', seed: settings.seed });
  if (kind !== 'unstructured') return layer;
  const dy = scatterNonZeros(layer.operands.outputGradients, deriveSeed(settings.seed, LSTM_LAYER.name, 'unstructured', sparsity));
  return { shape: layer.shape, operands: { ...layer.operands, outputGradients: dy } };
}

export interface LstmRun {
  readonly kind: GateGradient;
  readonly sparsity: number;
  readonly passes: readonly PassRecord[];
}

const backwardCycles = (r: LstmRun) => r.passes.reduce((s, p) => s + p.byMode.element!.cycles, 0);

export const lstmExperiment: Experiment = {
  name: 'lstm',
  title: 'Structured gate-gradient sparsity in an LSTM backward pass',
  reproduces: 'Zhu et al. 2018: structured gate-gradient sparsity makes the LSTM backward pass up to 45% faster than dense and faster than unstructured',
  accepts: ['sparsities', 'batch', 'seed', 'array', 'engine', 'maxProducts', 'validateRtl'],
  defaults: { sparsities: [0.5, 0.8, 0.9], batch: 16, maxProducts: LSTM_MAX_PRODUCTS },
  validate(settings) {
    validateArraySettings(settings, 'lstm');
    if (settings.sparsities.includes(0)) throw new SettingsError('lstm runs the dense gate gradient as its baseline; give sparsities above 0');
  },
  workUnits(settings) {
    return [
      { id: 'dense', params: { kind: 'dense', sparsity: 0 } },
      ...settings.sparsities.flatMap((s) => (['structured', 'unstructured'] as const).map((kind) => ({ id: unitId(kind, `s${s}`), params: { kind, sparsity: s } }))),
    ];
  },
  async runUnit(unit, settings, context): Promise<LstmRun> {
    const kind = unit.params.kind as GateGradient;
    const sparsity = Number(unit.params.sparsity);
    const { shape, operands } = lstmOperands(kind, sparsity, settings);
    const array = arrayOf(settings);
    // Matrix mode: px products per true term; dense, every row x gate x [x, h] column is one.
    const dense = array.top.px * shape.batch * shape.outChannels * shape.inChannels;
    const passes = await runLayerPasses(shape, operands, {
      array, engine: context.engine, modes: ['element'], passes: BACKWARD, maxProducts: settings.maxProducts, seed: settings.seed, label: LSTM_LAYER.name,
      cuts: LSTM_CUTS, planProducts: { inputGradient: dense, weightGradient: dense },
    });
    return { kind, sparsity, passes };
  },
  report(settings, _units, results) {
    const runs = results as LstmRun[];
    const dense = runs.find((r) => r.kind === 'dense')!;
    const denseCycles = backwardCycles(dense);
    const rows: CsvRow[] = runs.flatMap((r) =>
      r.passes.map((p) => {
        const c = p.byMode.element! as ArrayCounters;
        return { kind: r.kind, sparsity: r.sparsity, pass: p.pass, sample: describeSample(p.sample), scale: p.sample.scale, units: p.units, runs: p.runs, cycles: c.cycles, computeCycles: c.computeCycles, drainCycles: c.drainCycles, validProducts: c.validProducts, goldenValid: p.golden.valid, busySlots: c.busySlots };
      }),
    );
    const points = settings.sparsities.map((s) => {
      const at = (kind: GateGradient) => runs.find((r) => r.kind === kind && r.sparsity === s)!;
      const structured = backwardCycles(at('structured'));
      const unstructured = backwardCycles(at('unstructured'));
      const byPass = (kind: GateGradient) => Object.fromEntries(at(kind).passes.map((p) => [p.pass, p.byMode.element!.cycles]));
      return {
        sparsity: s, structured, unstructured,
        speedupStructured: denseCycles / structured,
        speedupUnstructured: denseCycles / unstructured,
        structuredOverUnstructured: unstructured / structured,
        byPass: { dense: Object.fromEntries(dense.passes.map((p) => [p.pass, p.byMode.element!.cycles])), structured: byPass('structured'), unstructured: byPass('unstructured') },
      };
    });
    const best = points.reduce((a, b) => (b.speedupStructured > a.speedupStructured ? b : a));
    const faster = best.speedupStructured - 1;
    const comparisons: Comparison[] = [
      {
        claim: 'backward pass faster than dense with structured gate-gradient sparsity (speedup - 1, best over the sparsities)',
        published: 'up to 45%',
        publishedValue: PUBLISHED_FASTER,
        ours: faster,
        oursText: `${(100 * faster).toFixed(1)}% at sparsity ${best.sparsity} (${best.speedupStructured.toFixed(2)}x)`,
        ratio: faster / PUBLISHED_FASTER,
        madeBy: engineMadeBy(settings.engine),
      },
      {
        claim: 'structured faster than unstructured at the same density (unstructured / structured backward cycles, lowest over the sparsities)',
        published: 'faster (> 1x)',
        publishedValue: null,
        ours: Math.min(...points.map((p) => p.structuredOverUnstructured)),
        oursText: points.map((p) => `${p.structuredOverUnstructured.toFixed(2)}x at ${p.sparsity}`).join(', '),
        ratio: null,
        madeBy: engineMadeBy(settings.engine),
      },
    ];
    const md = [
      '## Backward pass of the LSTM gate product',
      '',
      `Layer: ${LSTM_LAYER.inChannels} -> ${LSTM_LAYER.outChannels} (hidden ${LSTM_HIDDEN}: [x, h] to four gates), ${settings.batch} rows of the gate gradient (batch), matrix mode, anticipation element, ${settings.array.px}x${settings.array.py} array, seed ${settings.seed}. Backward = input gradient + weight gradient.`,
      '',
      '| gate-gradient sparsity | dense cycles | structured | unstructured | speedup structured | speedup unstructured | structured vs unstructured |',
      '|---|---|---|---|---|---|---|',
      ...points.map((p) => `| ${p.sparsity} | ${formatNumber(Math.round(denseCycles))} | ${formatNumber(Math.round(p.structured))} | ${formatNumber(Math.round(p.unstructured))} | ${p.speedupStructured.toFixed(2)}x | ${p.speedupUnstructured.toFixed(2)}x | ${p.structuredOverUnstructured.toFixed(2)}x |`),
      '',
      runs.some((r) => r.passes.some((p) => p.sample.scale !== 1)) ? '**Sampled** passes are named in results.csv.' : 'Every pass ran whole: exact for the array cycle model.',
      '',
    ].join('\n');
    const values = points.flatMap((p) => [
      { sparsity: p.sparsity, gradient: 'structured (lstm)', speedup: p.speedupStructured },
      { sparsity: p.sparsity, gradient: 'unstructured', speedup: p.speedupUnstructured },
    ]);
    const plots = [
      {
        name: 'backward-speedup',
        title: 'LSTM backward pass: speedup over a dense gate gradient',
        spec: {
          data: { values },
          mark: 'bar',
          encoding: {
            x: { field: 'sparsity', type: 'ordinal', title: 'gate-gradient sparsity' },
            xOffset: { field: 'gradient', type: 'nominal' },
            y: { field: 'speedup', type: 'quantitative', title: 'speedup over dense (x)' },
            color: { field: 'gradient', type: 'nominal', title: null, scale: { range: ['#e15759', '#9e9e9e'] } },
          },
          width: 90 * points.length,
          height: 220,
        },
      },
    ];
    const total = sumCounters(dense.passes.map((p) => p.byMode.element!));
    return { figures: { denseCycles, denseCounters: total, points, runs }, comparisons, rows, markdown: md, plots, madeBy: engineMadeBy(settings.engine) };
  },
};
