/**
 * What an experiment is: settings it accepts, the work units it splits into, how
 * one unit is run, and how the units' results become figures, tables and plots.
 * Work units are the grain of sharding, resuming and merging, so a unit's
 * result must depend on the settings and the unit alone, never on which other
 * units ran or in which process.
 */
import type { EngineKind, PeArrayEngine } from './engine.ts';
import type { InputSize } from '../workloads/layer-table.ts';

export interface NetworkChoice {
  readonly name: string;
  readonly input: InputSize;
}

/** Every setting the CLI can give; an experiment declares which ones it takes. */
export interface ExperimentSettings {
  readonly nets: readonly NetworkChoice[];
  readonly sparsities: readonly number[];
  readonly generators: readonly string[];
  readonly designs: readonly string[];
  readonly batch: number;
  readonly seed: number;
  readonly array: { readonly px: number; readonly py: number };
  readonly engine: EngineKind;
  /** Layer indices (table order) to run; empty = every layer. */
  readonly layers: readonly number[];
  /** Cartesian products of one layer pass above which the PE-array experiments sample the pass; null = never (exact). */
  readonly maxProducts: number | null;
  /**
   * Pass runs of the model engine also run on the RTL to measure the model's
   * error (rtl-validation.ts); 0 = none. Not part of the units' fingerprint:
   * the units' figures do not depend on it.
   */
  readonly validateRtl: number;
}

export type SettingName = keyof ExperimentSettings;

/** A unit's parameters, recorded in its result file and in the CSV. */
export type UnitParams = Readonly<Record<string, string | number>>;

export interface WorkUnit {
  /** Unique within the experiment and safe as a file name. */
  readonly id: string;
  readonly params: UnitParams;
}

/** JSON-serialisable result of one unit. */
export type UnitResult = unknown;

export interface Comparison {
  readonly claim: string;
  /** The paper's figure as it states it. */
  readonly published: string;
  /** Numeric value of the published figure when there is one, for the ratio. */
  readonly publishedValue: number | null;
  readonly ours: number;
  readonly oursText: string;
  /** ours / publishedValue, or null. */
  readonly ratio: number | null;
  /** Which engine or model made our figure. */
  readonly madeBy: string;
}

export interface Plot {
  /** File stem under plots/. */
  readonly name: string;
  readonly title: string;
  /** Vega-Lite specification with its data inlined. */
  readonly spec: Record<string, unknown>;
}

export type CsvRow = Readonly<Record<string, string | number | null>>;

export interface ExperimentReport {
  /** Every figure, structured, for results.json. */
  readonly figures: unknown;
  readonly comparisons: readonly Comparison[];
  /** One flat table for results.csv; every row has the same columns. */
  readonly rows: readonly CsvRow[];
  /** Markdown sections of summary.md after the comparison table. */
  readonly markdown: string;
  readonly plots: readonly Plot[];
  /** What made the figures, e.g. 'golden RCP counters (sim/golden/rcp-count.ts)'. */
  readonly madeBy: string;
}

export interface RunContext {
  /** The experiment's output folder, for units that keep work files (synthesis runs). */
  readonly outDir: string;
  /** The engine of --engine for the PE-array experiments (the runner records its requests for sampled RTL validation). */
  readonly engine: PeArrayEngine;
}

export interface Experiment {
  readonly name: string;
  readonly title: string;
  /** The published claim it reproduces, one line. */
  readonly reproduces: string;
  /** Settings the experiment takes; giving any other is an error. */
  readonly accepts: readonly SettingName[];
  readonly defaults: Partial<ExperimentSettings>;
  /** Set when the experiment cannot run in this tree: the one message it fails with. */
  readonly pending?: string;
  /** Checks settings beyond their syntax (e.g. a generator the experiment cannot use); throws a RangeError. */
  validate?(settings: ExperimentSettings): void;
  workUnits(settings: ExperimentSettings): WorkUnit[];
  runUnit(unit: WorkUnit, settings: ExperimentSettings, context: RunContext): Promise<UnitResult>;
  /** Results in work-unit order, every unit present. */
  report(settings: ExperimentSettings, units: readonly WorkUnit[], results: readonly UnitResult[]): ExperimentReport;
  /** External tools whose versions go into results.json. */
  readonly tools?: readonly ('yosys' | 'verilator')[];
}

/** A file-name-safe id from parts. */
export function unitId(...parts: ReadonlyArray<string | number>): string {
  return parts.map((p) => String(p).replace(/[^A-Za-z0-9.-]+/g, '_')).join('.');
}
