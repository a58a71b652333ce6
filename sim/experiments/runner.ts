/**
 * Runs an experiment's work units, one result file per unit, and builds the
 * outputs once every unit is there.
 *
 * Output folder:
 *   run.json                 experiment, settings, fingerprint, shard, environment of the last invocation
 *   units/<id>.json          one finished unit (written to a temporary name, then renamed)
 *   invocations/<t>-<pid>.json  each CLI execution that ran units, with its machine
 *   results.json, results.csv, summary.md, plots/   only when every unit is present
 *   validation/<unit>.<request>.json, validation.csv  with --validate-rtl: the sampled
 *                            pass runs on the RTL, drawn once every unit is present
 *                            (rtl-validation.ts), so a merge draws what a single run does
 *
 * A unit file carries the settings fingerprint and the code fingerprint
 * (code-fingerprint.ts): a re-run with the same settings and code skips the
 * units already done (resume); a unit file from other settings or other code
 * is recomputed, and a merge refuses it. A shard runs units i-1, i-1+n, i-1+2n, ... (round robin, so each
 * shard gets a share of every network); `mergeShards` assembles the same
 * outputs from several shard folders.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../synth/files.ts';
import { currentEnvironment, currentMachine, type Environment } from './environment.ts';
import { modelEngine, type PeArrayEngine } from './engine.ts';
import type { Experiment, ExperimentSettings, UnitResult, WorkUnit } from './experiment.ts';
import { writeOutputs, type Invocation, type RunRecord } from './output.ts';
import { requirePeArrayEngine } from './pe-array-engines.ts';
import { recordingEngine, type RecordedRequest } from './rtl-validation.ts';
import { validateOnRtl } from './rtl-validation-run.ts';
import { settingsFingerprint, SettingsError, type Shard } from './settings.ts';

// 2: a unit file records its engine requests (rtl-validation.ts); 3: and the code fingerprint.
const UNIT_SCHEMA = 'sparse-train-hw/experiment-unit/3';
// 2: the environment records the code fingerprint.
const RUN_SCHEMA = 'sparse-train-hw/experiment-run/2';

/** Reports progress: a bar on a terminal, plain lines otherwise (the CLI chooses). */
export interface ProgressSink {
  start(total: number, alreadyDone: number): void;
  unitDone(unit: WorkUnit, seconds: number, done: number, total: number): void;
  stop(): void;
}

export interface RunOptions {
  readonly outDir: string;
  readonly shard?: Shard | undefined;
  readonly argv: readonly string[];
  /** Stops between units: what is finished stays, nothing is half-written. */
  readonly signal?: AbortSignal;
  readonly progress?: ProgressSink;
}

export interface RunOutcome {
  readonly unitsTotal: number;
  readonly unitsSelected: number;
  readonly unitsResumed: number;
  /** Unit files of these settings made by other code: recomputed, never resumed. */
  readonly unitsStale: number;
  readonly unitsRun: number;
  /** Files written when the run completed the experiment; empty for a shard. */
  readonly written: readonly string[];
}

export class PendingExperimentError extends Error {
  override readonly name = 'PendingExperimentError';
}

export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
}

interface UnitFile {
  readonly schema: string;
  readonly experiment: string;
  readonly fingerprint: string;
  /** The code fingerprint of the checkout that computed it. */
  readonly code: string;
  readonly unit: WorkUnit;
  readonly result: UnitResult;
  /** The unit's engine requests and their results, in order: what sampled RTL validation draws from. */
  readonly requests: readonly RecordedRequest[];
  readonly wallTimeS: number;
}

interface RunManifest {
  readonly schema: string;
  readonly experiment: string;
  readonly fingerprint: string;
  readonly settings: ExperimentSettings;
  readonly shard: Shard | null;
  readonly environment: Environment;
}

/** The engine of an experiment's units: --engine for the PE-array experiments, the model (never asked) for the others. */
function engineOf(experiment: Experiment, settings: ExperimentSettings): PeArrayEngine {
  return experiment.accepts.includes('engine') ? requirePeArrayEngine(settings.engine, experiment.name) : modelEngine;
}

/** Tools whose versions results.json records: the experiment's, and Verilator when the RTL runs. */
function toolsOf(experiment: Experiment, settings: ExperimentSettings): ('yosys' | 'verilator')[] {
  const tools = new Set(experiment.tools ?? []);
  if (experiment.accepts.includes('engine') && (settings.engine === 'rtl' || settings.validateRtl > 0)) tools.add('verilator');
  return [...tools];
}

function unitsDir(outDir: string): string {
  return path.join(outDir, 'units');
}

function unitFile(outDir: string, unit: WorkUnit): string {
  return path.join(unitsDir(outDir), `${unit.id}.json`);
}

/** What identifies a usable unit file: the settings and the code that made it. */
interface UnitKey {
  readonly fingerprint: string;
  readonly code: string;
}

type StoredUnit = { readonly status: 'current'; readonly file: UnitFile } | { readonly status: 'stale' | 'absent' };

/** The unit's stored result: current when made by these settings and this code, stale when only the code differs. */
function storedUnit(outDir: string, experiment: Experiment, key: UnitKey, unit: WorkUnit): StoredUnit {
  let text: string;
  try {
    text = fs.readFileSync(unitFile(outDir, unit), 'utf8');
  } catch {
    return { status: 'absent' };
  }
  let parsed: UnitFile;
  try {
    parsed = JSON.parse(text) as UnitFile;
  } catch {
    return { status: 'absent' }; // cannot happen with renamed files; a hand-edited one is recomputed
  }
  const same = parsed.experiment === experiment.name && parsed.fingerprint === key.fingerprint && parsed.unit?.id === unit.id;
  if (!same) return { status: 'absent' };
  // An older schema's unit file has no code fingerprint: it is stale too.
  return parsed.schema === UNIT_SCHEMA && parsed.code === key.code ? { status: 'current', file: parsed } : { status: 'stale' };
}

/** Temporary files left by a killed writer: never results, removed before a run. */
function removeStaleTemporaries(dir: string): void {
  if (!fs.existsSync(dir)) return;
  for (const name of fs.readdirSync(dir)) if (name.startsWith('.') && name.endsWith('.tmp')) fs.rmSync(path.join(dir, name), { force: true });
}

export function checkUnits(experiment: Experiment, units: readonly WorkUnit[]): void {
  const seen = new Set<string>();
  for (const u of units) {
    if (seen.has(u.id)) throw new Error(`experiment ${experiment.name} declares work unit ${u.id} twice`);
    seen.add(u.id);
  }
  if (units.length === 0) throw new SettingsError(`experiment "${experiment.name}" has no work units with these settings`);
}

export function shardUnits(units: readonly WorkUnit[], shard: Shard | undefined): WorkUnit[] {
  if (!shard) return [...units];
  return units.filter((_, i) => i % shard.count === shard.index - 1);
}

export function ensureRunnable(experiment: Experiment): void {
  if (experiment.pending) throw new PendingExperimentError(experiment.pending);
}

export async function runExperiment(experiment: Experiment, settings: ExperimentSettings, options: RunOptions): Promise<RunOutcome> {
  ensureRunnable(experiment);
  const startedAt = new Date().toISOString();
  const outDir = path.resolve(options.outDir);
  const units = experiment.workUnits(settings);
  checkUnits(experiment, units);
  const selected = shardUnits(units, options.shard);
  const fingerprint = settingsFingerprint(experiment, settings);
  const environment = await currentEnvironment(toolsOf(experiment, settings));
  const key: UnitKey = { fingerprint, code: environment.source.code };
  const engine = engineOf(experiment, settings);
  fs.mkdirSync(unitsDir(outDir), { recursive: true });
  removeStaleTemporaries(unitsDir(outDir));
  const manifest: RunManifest = { schema: RUN_SCHEMA, experiment: experiment.name, fingerprint, settings, shard: options.shard ?? null, environment };
  writeFileAtomic(path.join(outDir, 'run.json'), `${JSON.stringify(manifest, null, 2)}\n`);

  const stored = selected.map((u) => storedUnit(outDir, experiment, key, u).status);
  const pending = selected.filter((_, i) => stored[i] !== 'current');
  const stale = stored.filter((s) => s === 'stale').length;
  const resumed = selected.length - pending.length;
  options.progress?.start(selected.length, resumed);
  let ran = 0;
  const recordInvocation = () => {
    if (ran === 0) return;
    const invocation: Invocation = {
      argv: options.argv,
      shard: options.shard ?? null,
      machine: currentMachine(),
      startedAt,
      finishedAt: new Date().toISOString(),
      unitsRun: ran,
    };
    const name = `${startedAt.replace(/[:.]/g, '-')}-${process.pid}.json`;
    writeFileAtomic(path.join(outDir, 'invocations', name), `${JSON.stringify(invocation, null, 2)}\n`);
  };
  try {
    for (const unit of pending) {
      // Units compute synchronously: let the event loop deliver signals (Ctrl-C) between them.
      await new Promise((resolve) => setImmediate(resolve));
      if (options.signal?.aborted) {
        throw new InterruptedError(
          `interrupted after ${resumed + ran} of ${selected.length} work units; the finished ones are kept in ${unitsDir(outDir)}; run the same command again to resume`,
        );
      }
      const t0 = performance.now();
      const recorder = recordingEngine(engine);
      const result = await experiment.runUnit(unit, settings, { outDir, engine: recorder.engine });
      const wallTimeS = Math.round(performance.now() - t0) / 1000;
      const record: UnitFile = { schema: UNIT_SCHEMA, experiment: experiment.name, fingerprint, code: key.code, unit, result, requests: recorder.requests, wallTimeS };
      writeFileAtomic(unitFile(outDir, unit), `${JSON.stringify(record)}\n`);
      ran++;
      options.progress?.unitDone(unit, wallTimeS, resumed + ran, selected.length);
    }
  } finally {
    options.progress?.stop();
    recordInvocation();
  }
  const complete = selected.length === units.length;
  const written = complete ? await assemble(experiment, settings, units, [outDir], outDir, environment) : [];
  return { unitsTotal: units.length, unitsSelected: selected.length, unitsResumed: resumed, unitsStale: stale, unitsRun: ran, written };
}

function readInvocations(dir: string): Invocation[] {
  const folder = path.join(dir, 'invocations');
  if (!fs.existsSync(folder)) return [];
  return fs
    .readdirSync(folder)
    .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
    .sort()
    .map((n) => JSON.parse(fs.readFileSync(path.join(folder, n), 'utf8')) as Invocation);
}

/** Reads every unit from the folders (the first that has it) and writes the outputs to outDir. */
async function assemble(
  experiment: Experiment,
  settings: ExperimentSettings,
  units: readonly WorkUnit[],
  sourceDirs: readonly string[],
  outDir: string,
  environment: Environment,
): Promise<string[]> {
  const fingerprint = settingsFingerprint(experiment, settings);
  const key: UnitKey = { fingerprint, code: environment.source.code };
  const results: UnitResult[] = [];
  const requests = new Map<string, readonly RecordedRequest[]>();
  const unitWallTimeS: Record<string, number> = {};
  const missing: string[] = [];
  let stale = 0;
  for (const unit of units) {
    const stored = sourceDirs.map((d) => storedUnit(d, experiment, key, unit));
    const found = stored.find((s): s is Extract<StoredUnit, { status: 'current' }> => s.status === 'current');
    if (!found) {
      missing.push(unit.id);
      if (stored.some((s) => s.status === 'stale')) stale++;
      continue;
    }
    results.push(found.file.result);
    requests.set(unit.id, found.file.requests);
    unitWallTimeS[unit.id] = found.file.wallTimeS;
  }
  if (missing.length) {
    const list = missing.slice(0, 5).join(', ') + (missing.length > 5 ? `, ... (${missing.length} in all)` : '');
    const why = stale ? ` (${stale} of them were computed by other code than code ${key.code}: re-run them from this checkout)` : '';
    throw new SettingsError(`cannot assemble ${experiment.name}: ${missing.length} of ${units.length} work units are missing${why}: ${list}. Run the missing shards, then merge again.`);
  }
  const invocations = sourceDirs
    .flatMap(readInvocations)
    .sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0));
  const checked = settings.validateRtl > 0 ? await validateOnRtl({ experiment, settings, units, requests, fingerprint: `${fingerprint}.${key.code}`, sourceDirs, outDir }) : undefined;
  const run: RunRecord = { invocations, unitWallTimeS, ...(checked ? { validationWallTimeS: checked.wallTimeS } : {}) };
  const report = experiment.report(settings, units, results);
  return writeOutputs(outDir, { experiment, settings, units, report, environment, run, validation: checked?.validation ?? null });
}

/**
 * Merges shard folders into one set of outputs in outDir: they must come from
 * the same experiment, settings and environment, and together hold every unit.
 */
export async function mergeShards(
  dirs: readonly string[],
  outDir: string | undefined,
  lookup: (name: string) => Experiment,
): Promise<{ experiment: Experiment; outDir: string; written: string[] }> {
  if (dirs.length === 0) throw new SettingsError('give at least one shard folder to merge');
  const manifests = dirs.map((d) => {
    const file = path.join(d, 'run.json');
    if (!fs.existsSync(file)) throw new SettingsError(`${d} is not an experiment output folder (no run.json); give the folders that --out named`);
    try {
      const m = JSON.parse(fs.readFileSync(file, 'utf8')) as RunManifest;
      if (m.schema !== RUN_SCHEMA) throw new Error(`schema ${m.schema}`);
      return { dir: path.resolve(d), manifest: m };
    } catch (e) {
      throw new SettingsError(`${file} is not a run manifest this version reads (${(e as Error).message})`);
    }
  });
  const first = manifests[0]!.manifest;
  for (const { dir, manifest } of manifests) {
    if (manifest.experiment !== first.experiment || manifest.fingerprint !== first.fingerprint) {
      throw new SettingsError(
        `${dir} holds ${manifest.experiment} with other settings than ${manifests[0]!.dir} (${first.experiment}); merge only shards of one command`,
      );
    }
    if (JSON.stringify(manifest.environment) !== JSON.stringify(first.environment)) {
      throw new SettingsError(
        `${dir} was run with other tool versions or source than ${manifests[0]!.dir}:\n  ${JSON.stringify(manifest.environment)}\n  ${JSON.stringify(first.environment)}\nre-run the shards from one checkout with the same tools`,
      );
    }
  }
  const validateRtl = (m: RunManifest) => m.settings.validateRtl ?? 0;
  const differs = manifests.find((m) => validateRtl(m.manifest) !== validateRtl(first));
  if (differs) {
    throw new SettingsError(`${differs.dir} was run with --validate-rtl ${validateRtl(differs.manifest)}, ${manifests[0]!.dir} with --validate-rtl ${validateRtl(first)}; merge only shards of one command`);
  }
  const experiment = lookup(first.experiment);
  const settings = { ...first.settings, validateRtl: validateRtl(first) };
  if (settingsFingerprint(experiment, settings) !== first.fingerprint) {
    throw new SettingsError(`the settings in ${manifests[0]!.dir}/run.json do not match its fingerprint; the folder was edited or made by another version`);
  }
  const units = experiment.workUnits(settings);
  checkUnits(experiment, units);
  const target = path.resolve(outDir ?? path.join('build', 'experiments', experiment.name));
  const written = await assemble(experiment, settings, units, manifests.map((m) => m.dir), target, first.environment);
  return { experiment, outDir: target, written };
}

