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
}

/** Everything a finished experiment's outputs are made from. */
export interface FinishedRun {
  readonly experiment: Experiment;
  readonly settings: ExperimentSettings;
  readonly units: readonly WorkUnit[];
  readonly report: ExperimentReport;
  readonly environment: Environment;
  readonly run: RunRecord;
}

export function resultsDocument({ experiment, settings, units, report, environment, run }: FinishedRun) {
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

export function summaryMarkdown(
  experiment: Experiment,
  settings: ExperimentSettings,
  report: ExperimentReport,
  environment: Environment,
): string {
  const tools = Object.entries(environment.tools).map(([t, v]) => `${t}: ${v}`);
  const source = environment.source.commit
    ? `${environment.source.commit.slice(0, 12)}${environment.source.uncommittedChanges ? ' (with uncommitted changes)' : ''}`
    : 'not a git checkout';
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
  const { experiment, settings, report, environment } = finished;
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
  put('summary.md', `${summaryMarkdown(experiment, settings, report, environment)}\n`);
  put('results.json', `${JSON.stringify(resultsDocument(finished), null, 2)}\n`);
  return written;
}

/** Shortest readable form of a figure, for tables. */
export { formatNumber };

/** A ratio as the reports print it: 2 decimals and an x. */
export const x2 = (v: number) => `${v.toFixed(2)}x`;
/** A fraction as a percentage with one decimal. */
export const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
