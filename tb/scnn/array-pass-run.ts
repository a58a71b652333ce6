import type { ArrayTopParams } from '../../hw/scnn/array-params.ts';
import { arrayCycleModel, ARRAY_COUNTER_NAMES, type ArrayCounters } from '../../sim/scnn/array-cycle-model.ts';
import type { ScheduleArray } from '../../sim/scnn/array-output.ts';
import { addCounters, passCountersStart, planRuns, runSchedule, type PassRun } from '../../sim/scnn/array-runs.ts';
import type { PassSchedule } from '../../sim/scnn/scheduler.ts';
import type { Anticipation } from '../../sim/scnn/work-unit.ts';
import type { VerilatedModel } from '../../sim/verilator/build.ts';
import { BulkSession } from '../../sim/verilator/bulk-session.ts';
import { encodeArrayTop, type ArrayTopImages } from '../../sim/scnn/array-images.ts';
import { firstMismatch } from '../../sim/scnn/layer-run.ts';
import { imagesInMode, runArrayImages, type ArrayRun, type ArrayRunTiming } from './array-run.ts';

/** A pass's time by phase, summed over its runs (ms); the cycle model's share too. */
export type PassTiming = { -readonly [K in keyof ArrayRunTiming]: number } & { cycleModelMs: number };

export interface PassOnArray {
  /** The pass's output tensor: the outputs of its runs added. */
  readonly output: Int32Array;
  /** Counters summed over the runs. */
  readonly counters: ArrayCounters;
  /** What the array cycle model predicts for the same runs, summed. */
  readonly predicted: ArrayCounters;
  readonly runs: readonly PassRun[];
  /** Wall time of the whole pass (its runs overlap with encoding the next one; with several modes, of all of them). */
  readonly wallMs: number;
  /** CPU time of the model process on the pass's jobs. */
  readonly cpuMs: number;
  readonly timing: PassTiming;
  /** The largest relative cycle error of the model on one run. */
  readonly worstRunCycleError: number;
  /** Runs whose counters differ from the cycle model's, each with the first counter that differs. */
  readonly counterMismatches: readonly string[];
  readonly timedOut: boolean;
}

export function zeroPassTiming(): PassTiming {
  return { writeMs: 0, modelMs: 0, constructMs: 0, loadMs: 0, runMs: 0, dumpMs: 0, readMs: 0, encodeMs: 0, decodeMs: 0, cycleModelMs: 0 };
}

export function addPassTiming(into: PassTiming, t: Partial<PassTiming>): void {
  for (const k of Object.keys(into) as (keyof PassTiming)[]) into[k] += t[k] ?? 0;
}

/**
 * Runs a whole pass on a built array top, as many bulk runs as its buffers
 * need (sim/scnn/array-runs.ts), adding the runs' outputs with 32-bit wrap
 * as the accumulators do.
 */
export async function runPassOnArray(
  model: VerilatedModel,
  params: ArrayTopParams,
  schedule: PassSchedule,
  grid: ScheduleArray,
  mode: Anticipation,
  opts: { seed: number; cycleLimit?: number; runs?: readonly PassRun[]; session?: BulkSession },
): Promise<PassOnArray> {
  return (await runPassInModes(model, params, schedule, grid, [mode], opts))[0]!;
}

/**
 * Runs a whole pass in each of the modes given, one result per mode. The runs
 * are jobs of one model process (the session given, or one of its own); each
 * run's images are encoded once for every mode (imagesInMode), while the
 * model runs the run before, and its cycle model is worked out meanwhile.
 */
export async function runPassInModes(
  model: VerilatedModel,
  params: ArrayTopParams,
  schedule: PassSchedule,
  grid: ScheduleArray,
  modes: readonly Anticipation[],
  opts: { seed: number; cycleLimit?: number; runs?: readonly PassRun[]; session?: BulkSession },
): Promise<PassOnArray[]> {
  const t0 = performance.now();
  const elements = schedule.outputDims.reduce((a, b) => a * b, 1);
  const limit = opts.cycleLimit ?? 2 ** 32 - 1;
  const runs = opts.runs ?? planRuns(schedule, grid, params);
  const session = opts.session ?? BulkSession.open(model);
  const perMode = modes.map(() => ({
    output: new Int32Array(elements),
    counters: passCountersStart(schedule),
    predicted: passCountersStart(schedule),
    timing: zeroPassTiming(),
    cpuMs: 0,
    worstRunCycleError: 0,
    timedOut: false,
    counterMismatches: [] as string[],
  }));
  const started: Promise<ArrayRun>[][] = [];
  const start = (i: number): void => {
    const sub = runSchedule(schedule, runs[i]!);
    const t = performance.now();
    let images: ArrayTopImages;
    try {
      images = encodeArrayTop(sub, grid, params, modes[0]!, limit);
    } catch (e) {
      // Only the first mode's is awaited before the pass fails: the others must not go unhandled.
      started.push(
        modes.map(() => {
          const failed = Promise.reject(e as Error);
          failed.catch(() => undefined);
          return failed;
        }),
      );
      return;
    }
    const encodeMs = performance.now() - t;
    started.push(
      modes.map((mode, m) => {
        const p = Promise.resolve().then(() => runArrayImages(session, params, m === 0 ? images : imagesInMode(images, params, sub, grid, mode, limit), limit, { seed: opts.seed, encodeMs: m === 0 ? encodeMs : 0 }));
        // Awaited in order below; a run left waiting when an earlier one fails must not go unhandled.
        p.catch(() => undefined);
        return p;
      }),
    );
  };
  try {
    if (runs.length > 0) start(0);
    for (const [i, run] of runs.entries()) {
      if (i + 1 < runs.length) start(i + 1);
      const sub = runSchedule(schedule, run);
      for (const [m, mode] of modes.entries()) {
        const into = perMode[m]!;
        const tModel = performance.now();
        const want = arrayCycleModel(sub, grid, params, mode).counters;
        into.timing.cycleModelMs += performance.now() - tModel;
        const r = await started[i]![m]!;
        into.cpuMs += r.cpuMs;
        addPassTiming(into.timing, r.timing);
        into.timedOut ||= r.timedOut;
        for (let j = 0; j < elements; j++) into.output[j] = (into.output[j]! + r.output[j]!) | 0;
        const differs = ARRAY_COUNTER_NAMES.find((k) => r.counters[k] !== want[k]);
        if (differs) into.counterMismatches.push(`units ${run.start}..${run.end - 1}: ${differs} is ${r.counters[differs]} on the RTL, ${want[differs]} in the model`);
        addCounters(into.counters, r.counters);
        addCounters(into.predicted, want);
        into.worstRunCycleError = Math.max(into.worstRunCycleError, Math.abs(r.counters.cycles - want.cycles) / Math.max(1, r.counters.cycles));
      }
    }
  } catch (e) {
    if (!opts.session) session.kill();
    throw e;
  }
  if (!opts.session) await session.close();
  const wallMs = performance.now() - t0;
  return perMode.map((r) => ({ ...r, runs, wallMs }));
}

/**
 * Holds a pass run in one mode to the golden model and the cycle model:
 * throws, naming `where` (layer, pass, mode), when the watchdog ended a run,
 * an output element differs from the golden pass, the valid products differ
 * from the golden count, or (unless `counters` is 'report') a counter of a run
 * differs from the cycle model's.
 */
export function requirePassAsModelled(r: PassOnArray, expected: Int32Array, goldenValid: number, where: string, counters: 'require' | 'report' = 'require'): void {
  if (r.timedOut) throw new Error(`${where}: the watchdog ended a run`);
  const mismatch = firstMismatch(r.output, expected);
  if (mismatch !== undefined) throw new Error(`${where}: the RTL output differs from the golden layer: ${mismatch}`);
  if (counters === 'require' && r.counterMismatches.length > 0) throw new Error(`${where}: the RTL counters differ from the cycle model: ${r.counterMismatches[0]}`);
  if (r.counters.validProducts !== goldenValid) throw new Error(`${where}: ${r.counters.validProducts} valid products on the RTL, the golden count is ${goldenValid}`);
}
