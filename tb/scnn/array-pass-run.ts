import type { ArrayTopParams } from '../../hw/scnn/array-params.ts';
import { arrayCycleModel, ARRAY_COUNTER_NAMES, type ArrayCounters } from '../../sim/scnn/array-cycle-model.ts';
import type { ScheduleArray } from '../../sim/scnn/array-output.ts';
import { addCounters, planRuns, runSchedule, zeroCounters, type PassRun } from '../../sim/scnn/array-runs.ts';
import type { PassSchedule } from '../../sim/scnn/scheduler.ts';
import type { Anticipation } from '../../sim/scnn/work-unit.ts';
import type { VerilatedModel } from '../../sim/verilator/build.ts';
import { runArrayTop } from './array-run.ts';

export interface PassOnArray {
  /** The pass's output tensor: the outputs of its runs added. */
  readonly output: Int32Array;
  /** Counters summed over the runs. */
  readonly counters: ArrayCounters;
  /** What the array cycle model predicts for the same runs, summed. */
  readonly predicted: ArrayCounters;
  readonly runs: readonly PassRun[];
  /** Wall time of the model runs, and the largest relative cycle error of the model on one run. */
  readonly wallMs: number;
  /** CPU time of the model processes. */
  readonly cpuMs: number;
  readonly worstRunCycleError: number;
  /** Runs whose counters differ from the cycle model's, each with the first counter that differs. */
  readonly counterMismatches: readonly string[];
  readonly timedOut: boolean;
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
  opts: { seed: number; cycleLimit?: number; runs?: readonly PassRun[] },
): Promise<PassOnArray> {
  const output = new Int32Array(schedule.outputDims.reduce((a, b) => a * b, 1));
  const counters = zeroCounters();
  const predicted = zeroCounters();
  const runs = opts.runs ?? planRuns(schedule, grid, params);
  let wallMs = 0;
  let cpuMs = 0;
  let worstRunCycleError = 0;
  let timedOut = false;
  const counterMismatches: string[] = [];
  for (const run of runs) {
    const sub = runSchedule(schedule, run);
    const r = await runArrayTop(model, params, sub, grid, mode, { seed: opts.seed, cycleLimit: opts.cycleLimit });
    wallMs += r.wallMs;
    cpuMs += r.cpuMs;
    timedOut ||= r.timedOut;
    for (let i = 0; i < output.length; i++) output[i] = (output[i]! + r.output[i]!) | 0;
    const want = arrayCycleModel(sub, grid, params, mode).counters;
    const differs = ARRAY_COUNTER_NAMES.find((k) => r.counters[k] !== want[k]);
    if (differs) counterMismatches.push(`units ${run.start}..${run.end - 1}: ${differs} is ${r.counters[differs]} on the RTL, ${want[differs]} in the model`);
    addCounters(counters, r.counters);
    addCounters(predicted, want);
    worstRunCycleError = Math.max(worstRunCycleError, Math.abs(r.counters.cycles - want.cycles) / Math.max(1, r.counters.cycles));
  }
  return { output, counters, predicted, runs, wallMs, cpuMs, worstRunCycleError, counterMismatches, timedOut };
}
