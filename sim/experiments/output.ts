/**
 * The files an experiment leaves: results.json (every figure, the command,
 * seeds, tool versions, the runs that made it), results.csv, summary.md and
 * plots/*.svg with their Vega-Lite specifications. Every file is written to a
 * temporary name and renamed, so a reader never sees half of one.
 *
 * results.json puts everything that depends on when and where the work ran
 * under `run`; the rest is a function of the settings and the environment,
 * which is what makes merged shards equal a single run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { writeFileAtomic } from '../../synth/files.ts';
import type { Environment, Machine } from './environment.ts';
import type { Comparison, Experiment, ExperimentReport, ExperimentSettings, WorkUnit } from './experiment.ts';
import { renderSvg } from './plots.ts';
import type { RtlValidation } from './rtl-validation.ts';
import { canonicalCommand, effectiveSettings, type Shard } from './settings.ts';

export const RESULTS_SCHEMA = 'sparse-train-hw/experiment/1';

/** One execution of the CLI that contributed units. */
export interface Invocation {
  readonly argv: readonly string[];
  readonly shard: Shard | null;
  readonly machine: Machine;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly unitsRun: number;
}

export interface RunRecord {
  readonly invocations: readonly Invocation[];
  /** Seconds each unit took, by unit id. */
  readonly unitWallTimeS: Readonly<Record<string, number>>;
  /** Seconds each sampled RTL validation took, by <unit>.<request>. */
  readonly validationWallTimeS?: Readonly<Record<string, number>>;
}

/** Everything a finished experiment's outputs are made from. */
export interface FinishedRun {
  readonly experiment: Experiment;
  readonly settings: ExperimentSettings;
  readonly units: readonly WorkUnit[];
  readonly report: ExperimentReport;
  readonly environment: Environment;
  readonly run: RunRecord;
  /** The sampled RTL validation of the model engine (--validate-rtl), or null. */
  readonly validation: RtlValidation | null;
}

export function resultsDocument({ experiment, settings, units, report, environment, run, validation }: FinishedRun) {
  return {
    schema: RESULTS_SCHEMA,
    experiment: experiment.name,
    title: experiment.title,
    reproduces: experiment.reproduces,
    command: canonicalCommand(experiment, settings),
    settings: effectiveSettings(experiment, settings),
    seeds: experiment.accepts.includes('seed')
      ? { seed: settings.seed, derivation: "every operand's stream is deriveSeed(seed, layer name, operand role) (sim/golden/random.ts)" }
      : null,
    madeBy: report.madeBy,
    environment,
    workUnits: units.map((u) => ({ id: u.id, ...u.params })),
    comparisons: report.comparisons,
    figures: report.figures,
    validation,
    run,
  };
}

function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return x.toLocaleString('en-US');
  const abs = Math.abs(x);
  return abs >= 100 ? x.toFixed(0) : abs >= 1 ? x.toFixed(2) : x.toPrecision(3);
}

function comparisonTable(comparisons: readonly Comparison[]): string {
  if (comparisons.length === 0) return '_No published figure to compare with._\n';
  const lines = ['| claim | published | ours | ours / published | made by |', '|---|---|---|---|---|'];
  for (const c of comparisons) {
    const ratio = c.ratio === null ? '—' : `${c.ratio.toFixed(2)}×`;
    lines.push(`| ${c.claim} | ${c.published} | ${c.oursText} | ${ratio} | ${c.madeBy} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** The largest relative error, as the summary prints it. */
function errorText(e: number): string {
  return e === 0 ? '0 (every counter equal)' : `${(100 * e).toPrecision(3)}%`;
}

/** What a pass run was, for the validation table. */
function passRunText(p: RtlValidation['passes'][number]): string {
  return `${p.label}, ${p.work === 'conv' ? p.pass : 'matrix product'}`;
}

/** The summary's section on the sampled RTL validation. */
export function validationMarkdown(v: RtlValidation, madeBy: string): string {
  const lines = [
    '## Validation on the RTL',
    '',
    `Every figure above: ${madeBy}.`,
    `The ${v.passes.length} pass runs below (of ${v.candidates} the experiment made; ${v.requested} asked with --validate-rtl) also ran on the Verilator RTL of the array top (hw/scnn/array-top.ts), every output bit-exact against the golden layer; their counters are compared with the model's, not required equal.`,
    `Sample: ${v.rule}; seed ${v.seed}.`,
    '',
    v.passes.some((p) => !p.refused)
      ? `Largest relative error of the model on any counter of any sampled pass run: **${errorText(v.maxRelativeError)}**.`
      : 'No sampled pass run could be compared: the RTL cannot run any of them (below).',
    ...v.passes.filter((p) => p.refused).map((p) => `Not compared: ${p.unit} #${p.request}: ${p.refused}.`),
    '',
    '| unit | pass run | mode | model cycles | RTL cycles | largest counter error |',
    '|---|---|---|---|---|---|',
  ];
  for (const p of v.passes) {
    for (const [mode, c] of Object.entries(p.byMode)) {
      const worst = p.worst && p.worst.mode === mode ? ` (${p.worst.counter}: model ${p.worst.model}, RTL ${p.worst.rtl})` : '';
      lines.push(`| ${p.unit} #${p.request} | ${passRunText(p)} | ${mode} | ${formatNumber(c!.modelCycles)} | ${formatNumber(c!.rtlCycles)} | ${errorText(c!.maxRelativeError)}${worst} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** One row per sampled pass run and mode. */
export function validationCsv(v: RtlValidation): string {
  const rows = v.passes.flatMap((p) =>
    Object.entries(p.byMode).map(([mode, c]) => ({
      unit: p.unit, request: p.request, label: p.label, work: p.work, pass: p.pass ?? '', mode, runs: p.runs,
      modelCycles: c!.modelCycles, rtlCycles: c!.rtlCycles, maxRelativeError: c!.maxRelativeError, worstCounter: p.worst?.mode === mode ? p.worst.counter : '', seed: v.seed,
    })),
  );
  if (rows.length === 0) return '';
  return stringify(rows, { header: true, columns: Object.keys(rows[0]!), cast: { number: (x) => String(x) } });
}

export function summaryMarkdown(
  experiment: Experiment,
  settings: ExperimentSettings,
  report: ExperimentReport,
  environment: Environment,
  validation: RtlValidation | null = null,
): string {
  const tools = Object.entries(environment.tools).map(([t, v]) => `${t}: ${v}`);
  const source =
    (environment.source.commit
      ? `${environment.source.commit.slice(0, 12)}${environment.source.uncommittedChanges ? ' (with uncommitted changes)' : ''}`
      : 'not a git checkout') + `, code ${environment.source.code}`;
  return [
    `# ${experiment.title}`,
    '',
    `Reproduces: ${experiment.reproduces}`,
    '',
    '```sh',
    canonicalCommand(experiment, settings),
    '```',
    '',
    `Figures made by: ${report.madeBy}.`,
    experiment.accepts.includes('seed') ? `Seed: ${settings.seed} (every random operand derives from it).` : '',
    `Node ${environment.node}; ${tools.length ? `${tools.join('; ')}; ` : ''}source ${source}.`,
    '',
    '## Our figures beside the published ones',
    '',
    comparisonTable(report.comparisons),
    report.markdown.trimEnd(),
    '',
    validation ? validationMarkdown(validation, report.madeBy) : '',
    report.plots.length ? '## Plots\n' : '',
    ...report.plots.map((p) => `![${p.title}](plots/${p.name}.svg)\n`),
  ]
    .filter((line, i, all) => !(line === '' && all[i - 1] === ''))
    .join('\n');
}

export function csvText(report: ExperimentReport): string {
  if (report.rows.length === 0) return '';
  const columns = Object.keys(report.rows[0]!);
  return stringify(report.rows as Record<string, unknown>[], { header: true, columns, cast: { number: (v) => String(v) } });
}

/** Writes every output file of a finished experiment. */
export async function writeOutputs(outDir: string, finished: FinishedRun): Promise<string[]> {
  const { experiment, settings, report, environment, validation } = finished;
  const written: string[] = [];
  const put = (name: string, text: string) => {
    const file = path.join(outDir, name);
    writeFileAtomic(file, text);
    written.push(file);
  };
  // Render first: a plot that fails to render must not leave new tables beside old plots.
  const svgs = await Promise.all(report.plots.map(async (p) => ({ plot: p, svg: await renderSvg({ title: p.title, ...p.spec }) })));
  fs.mkdirSync(path.join(outDir, 'plots'), { recursive: true });
  for (const { plot, svg } of svgs) {
    put(`plots/${plot.name}.vl.json`, `${JSON.stringify({ title: plot.title, ...plot.spec }, null, 2)}\n`);
    put(`plots/${plot.name}.svg`, svg);
  }
  put('results.csv', csvText(report));
  if (validation) put('validation.csv', validationCsv(validation));
  put('summary.md', `${summaryMarkdown(experiment, settings, report, environment, validation)}\n`);
  put('results.json', `${JSON.stringify(resultsDocument(finished), null, 2)}\n`);
  return written;
}

/** Shortest readable form of a figure, for tables. */
export { formatNumber };

/** A ratio as the reports print it: 2 decimals and an x. */
export const x2 = (v: number) => `${v.toFixed(2)}x`;
/** A fraction as a percentage with one decimal. */
export const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
