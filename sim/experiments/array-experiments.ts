/**
 * What the PE-array experiments share: the array a run uses (the default array
 * top resized by --array), one layer's passes run through the engine with
 * sampling when they are too large, and totals over passes and layers.
 */
import { DEFAULT_ARRAY_TOP, validateArrayTopParams } from '../../hw/scnn/array-params.ts';
import type { ConvShape, TrainingPass } from '../golden/conv-shape.ts';
import { countRcpFast } from '../golden/rcp-count.ts';
import type { ArrayCounters } from '../scnn/array-cycle-model.ts';
import { addCounters, zeroCounters } from '../scnn/array-runs.ts';
import { peCapacities, type ArraySpec } from '../scnn/array-config.ts';
import { isFullyConnected } from '../scnn/layer-run.ts';
import type { ConvOperands } from '../scnn/scheduler.ts';
import { matmulValid, synthesizeLayer } from '../scnn/training-step.ts';
import type { Anticipation } from '../scnn/work-unit.ts';
import type { PeArrayEngine } from './engine.ts';
import { requirePeArrayEngine } from './pe-array-engines.ts';
import type { Experiment, ExperimentSettings, WorkUnit } from './experiment.ts';
import { layerUnits } from './layer-units.ts';
import { planPassSample, scaleCounters, slicePass, type PassSample, type SampleAxis } from './pass-sampling.ts';
import { SettingsError } from './settings.ts';
import type { InputSize, NetworkTable } from '../workloads/layer-table.ts';
import { getNetwork } from '../workloads/networks/index.ts';

/** The array of a run: the default array top (docs/pe-array.md 3a) with --array's PEs, work units as large as the PE buffers. */
export function arrayOf(settings: Pick<ExperimentSettings, 'array'>): ArraySpec {
  const top = { ...DEFAULT_ARRAY_TOP, px: settings.array.px, py: settings.array.py };
  return { top, capacities: peCapacities(top.pe) };
}

/** Checks what every PE-array experiment needs: an array the top can be built as, an engine, layers the networks have. */
export function validateArraySettings(settings: ExperimentSettings, experiment: string): void {
  try {
    validateArrayTopParams(arrayOf(settings).top);
  } catch (e) {
    throw new SettingsError(`--array ${settings.array.px}x${settings.array.py}: ${(e as Error).message}`);
  }
  requirePeArrayEngine(settings.engine, experiment);
}

export function checkLayers(settings: ExperimentSettings, tables: readonly NetworkTable[]): void {
  for (const t of tables) {
    const bad = settings.layers.find((i) => i >= t.layers.length);
    if (bad !== undefined) throw new SettingsError(`--layers ${bad}: ${t.name} (${t.input}) has layers 0-${t.layers.length - 1}`);
  }
}

/** The checks of an experiment that runs layers of its networks on the array. */
export function validateLayerSettings(settings: ExperimentSettings, experiment: string): void {
  validateArraySettings(settings, experiment);
  checkLayers(settings, settings.nets.map((n) => getNetwork(n.name, n.input)));
}

/** The layer a network x generator x sparsity x layer unit (layer-units.ts) names, with its operands. */
export function unitLayer(unit: WorkUnit, settings: ExperimentSettings) {
  const table = getNetwork(String(unit.params.net), unit.params.input as InputSize);
  const index = Number(unit.params.layerIndex);
  const layer = table.layers[index]!;
  const generator = String(unit.params.generator);
  const { shape, operands } = synthesizeLayer(layer, index, { batch: settings.batch, sparsity: Number(unit.params.sparsity), generator, seed: settings.seed });
  return { layer, index, generator, shape, operands };
}

/** The settings an experiment over network layers on the array takes. */
export const LAYER_EXPERIMENT_SETTINGS: Experiment['accepts'] = ['nets', 'sparsities', 'generators', 'batch', 'seed', 'array', 'engine', 'layers', 'maxProducts', 'validateRtl'];

/** validate and workUnits of an experiment with a unit per network x generator x sparsity x layer (`layersOf` picks the layers). */
export function layerExperimentUnits(experiment: string, layersOf: (settings: ExperimentSettings, table: NetworkTable) => number[] = selectedLayers): Pick<Experiment, 'validate' | 'workUnits'> {
  return {
    validate: (settings) => validateLayerSettings(settings, experiment),
    workUnits: (settings) => layerUnits(settings, (table) => layersOf(settings, table)),
  };
}

export function selectedLayers(settings: ExperimentSettings, table: NetworkTable): number[] {
  return settings.layers.length ? [...settings.layers] : table.layers.map((_, i) => i);
}

/** One pass of one layer on the array. */
export interface PassRecord {
  readonly pass: TrainingPass;
  /** Convolution dataflow, or matrix mode for a fully-connected layer. */
  readonly dataflow: 'conv' | 'matmul';
  /** Work units and window groups of the schedule that ran (the slice's when sampled). */
  readonly units: number;
  readonly groups: number;
  /** Runs the array cut the (sliced) pass into. */
  readonly runs: number;
  /** Drains of runs that end inside a window group (the slice's times its scale when sampled); part of every mode's drainCycles. */
  readonly runCutDrainCycles: number;
  /** The pass drains through the reduction network (EngineResult.reducedDrain; absent in results stored before it was recorded). */
  readonly reducedDrain?: boolean;
  readonly sample: PassSample;
  /** Exact golden counts of the whole pass: Cartesian products the conv dataflow forms (null in matrix mode) and valid products. */
  readonly golden: { readonly products: number | null; readonly valid: number };
  /** Array counters of the whole pass in each mode (the slice's times its scale when sampled). */
  readonly byMode: Readonly<Partial<Record<Anticipation, ArrayCounters>>>;
}

export interface PassRunOptions {
  readonly array: ArraySpec;
  readonly engine: PeArrayEngine;
  readonly modes: readonly Anticipation[];
  readonly passes: readonly TrainingPass[];
  readonly maxProducts: number | null;
  readonly seed: number;
  readonly label: string;
  /** How each pass is cut when sampled (default DEFAULT_CUTS). */
  readonly cuts?: Partial<Record<TrainingPass, readonly SampleAxis[]>>;
  /** Products to plan the sample by, when runs to be compared must share one slice (default: the pass's own). */
  readonly planProducts?: Partial<Record<TrainingPass, number>>;
}

/**
 * Runs the passes of one layer: exact golden counts of the whole layer, each
 * pass (sampled when its products exceed the budget) through the engine.
 */
export async function runLayerPasses(shape: ConvShape, operands: ConvOperands, o: PassRunOptions): Promise<PassRecord[]> {
  const fc = isFullyConnected(shape);
  const counts = fc ? undefined : countRcpFast(shape, operands);
  const records: PassRecord[] = [];
  for (const pass of o.passes) {
    const valid = counts ? counts[pass].valid : matmulValid(shape, pass, operands);
    // Matrix mode broadcasts each B row to every PE column of the grid: px products per valid one.
    const products = counts ? counts[pass].products : valid * o.array.top.px;
    const sample = planPassSample(shape, pass, o.planProducts?.[pass] ?? products, o.maxProducts, o.seed, o.label, o.cuts?.[pass]);
    const slice = slicePass(shape, operands, sample);
    const r = await o.engine.run({ array: o.array, work: { kind: 'conv', shape: slice.shape, pass, operands: slice.operands }, modes: o.modes, label: o.label });
    const byMode = Object.fromEntries(Object.entries(r.byMode).map(([m, c]) => [m, scaleCounters(c, sample, pass, r.runCutDrainCycles)]));
    records.push({ pass, dataflow: fc ? 'matmul' : 'conv', units: r.units, groups: r.groups, runs: r.runs, runCutDrainCycles: r.runCutDrainCycles * sample.scale, reducedDrain: r.reducedDrain, sample, golden: { products: counts ? counts[pass].products : null, valid }, byMode });
  }
  return records;
}

/** Counters summed over records (one mode). */
export function sumCounters(list: readonly ArrayCounters[]): ArrayCounters {
  const out = zeroCounters();
  for (const c of list) addCounters(out, c);
  return out;
}

export function geomean(xs: readonly number[]): number {
  return xs.length === 0 ? NaN : Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
}
