import type { ArrayTopParams } from '../../hw/scnn/array-params.ts';
import { arrayCycleModel, ARRAY_COUNTER_NAMES, type ArrayCounters } from '../../sim/scnn/array-cycle-model.ts';
import type { ScheduleArray } from '../../sim/scnn/array-output.ts';
import { addCounters, planRuns, runSchedule, zeroCounters, type PassRun } from '../../sim/scnn/array-runs.ts';
import type { PassSchedule } from '../../sim/scnn/scheduler.ts';
import type { Anticipation } from '../../sim/scnn/work-unit.ts';
import type { VerilatedModel } from '../../sim/verilator/build.ts';
import { BulkSession } from '../../sim/verilator/bulk-session.ts';
import { runArrayTop, type ArrayRun, type ArrayRunTiming } from './array-run.ts';

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
  /** Wall time of the whole pass (its runs overlap with encoding the next one). */
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
 * as the accumulators do. The runs are jobs of one model process (the
 * session given, or one of its own); each run's images are encoded while the
 * model runs the one before, and its cycle model is worked out meanwhile.
 */
export async function runPassOnArray(
  model: VerilatedModel,
  params: ArrayTopParams,
  schedule: PassSchedule,
  grid: ScheduleArray,
  mode: Anticipation,
  opts: { seed: number; cycleLimit?: number; runs?: readonly PassRun[]; session?: BulkSession },
): Promise<PassOnArray> {
  const t0 = performance.now();
  const output = new Int32Array(schedule.outputDims.reduce((a, b) => a * b, 1));
  const counters = zeroCounters();
  const predicted = zeroCounters();
  const timing = zeroPassTiming();
  const runs = opts.runs ?? planRuns(schedule, grid, params);
  const session = opts.session ?? BulkSession.open(model);
  let cpuMs = 0;
  let worstRunCycleError = 0;
  let timedOut = false;
  const counterMismatches: string[] = [];
  const started: Promise<ArrayRun>[] = [];
  const start = (i: number): void => {
    const p = runArrayTop(session, params, runSchedule(schedule, runs[i]!), grid, mode, { seed: opts.seed, cycleLimit: opts.cycleLimit });
    // Awaited in order below; a run left waiting when an earlier one fails must not go unhandled.
    p.catch(() => undefined);
    started.push(p);
  };
  try {
    if (runs.length > 0) start(0);
    for (const [i, run] of runs.entries()) {
      if (i + 1 < runs.length) start(i + 1);
      const tModel = performance.now();
      const sub = runSchedule(schedule, run);
      const want = arrayCycleModel(sub, grid, params, mode).counters;
      timing.cycleModelMs += performance.now() - tModel;
      const r = await started[i]!;
      cpuMs += r.cpuMs;
      addPassTiming(timing, r.timing);
      timedOut ||= r.timedOut;
      for (let j = 0; j < output.length; j++) output[j] = (output[j]! + r.output[j]!) | 0;
      const differs = ARRAY_COUNTER_NAMES.find((k) => r.counters[k] !== want[k]);
      if (differs) counterMismatches.push(`units ${run.start}..${run.end - 1}: ${differs} is ${r.counters[differs]} on the RTL, ${want[differs]} in the model`);
      addCounters(counters, r.counters);
      addCounters(predicted, want);
      worstRunCycleError = Math.max(worstRunCycleError, Math.abs(r.counters.cycles - want.cycles) / Math.max(1, r.counters.cycles));
    }
  } catch (e) {
    if (!opts.session) session.kill();
    throw e;
  }
  if (!opts.session) await session.close();
  return { output, counters, predicted, runs, wallMs: performance.now() - t0, cpuMs, timing, worstRunCycleError, counterMismatches, timedOut };
}
