import type { ArrayTopParams } from '../../hw/scnn/array-params.ts';
import { arrayCycleModel, ARRAY_COUNTER_NAMES, type ArrayCounters } from '../../sim/scnn/array-cycle-model.ts';
import { encodeArrayTop, type ScheduleArray } from '../../sim/scnn/array-images.ts';
import { planRuns, runSchedule, type PassRun } from '../../sim/scnn/array-runs.ts';
import type { PassSchedule } from '../../sim/scnn/scheduler.ts';
import type { Anticipation } from '../../sim/scnn/work-unit.ts';
import type { VerilatedModel } from '../../sim/verilator/build.ts';
import { runBulk } from '../../sim/verilator/bulk.ts';

export interface PassOnArray {
  /** The pass's output tensor. */
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
  readonly timedOut: boolean;
}

export function zeroCounters(): ArrayCounters {
  return Object.fromEntries(ARRAY_COUNTER_NAMES.map((k) => [k, 0])) as unknown as ArrayCounters;
}

export function addCounters(into: ArrayCounters, c: ArrayCounters): void {
  for (const k of ARRAY_COUNTER_NAMES) into[k] += c[k];
}

/**
 * Runs a whole pass on a built array top, as many bulk runs as its buffers
 * need (sim/scnn/array-runs.ts). The output buffer carries the pass's output
 * from run to run: each run loads the current values of its output span and
 * hands them back with its own contributions added.
 */
export async function runPassOnArray(
  model: VerilatedModel,
  params: ArrayTopParams,
  schedule: PassSchedule,
  grid: ScheduleArray,
  mode: Anticipation,
  opts: { seed: number; cycleLimit?: number },
): Promise<PassOnArray> {
  const limit = opts.cycleLimit ?? 2 ** 32 - 1;
  const depth = params.outputDepth;
  const output = new Int32Array(schedule.outputDims.reduce((a, b) => a * b, 1));
  const counters = zeroCounters();
  const predicted = zeroCounters();
  const runs = planRuns(schedule, params);
  let wallMs = 0;
  let cpuMs = 0;
  let worstRunCycleError = 0;
  let timedOut = false;
  for (const run of runs) {
    const sub = runSchedule(schedule, run);
    const images = encodeArrayTop(sub, grid, params, mode, limit);
    const buffer = new Int32Array(depth);
    for (let i = run.span.min; i <= run.span.max; i++) buffer[i % depth] = output[i]!;
    const r = await runBulk(model, {
      seed: opts.seed,
      config: images.config,
      loadMemories: { ...images.memories, [images.outputMemory]: Array.from(buffer) },
      dumpMemories: [images.outputMemory],
      donePort: 'done',
      peek: [...ARRAY_COUNTER_NAMES.map((k) => `counters_${k}`), 'timedOut'],
      // The watchdog ends every run; this only catches a broken watchdog.
      maxCycles: Math.min(limit + 16, 2 ** 31),
    });
    wallMs += r.wallMs;
    cpuMs += r.cpuMs;
    timedOut ||= r.peeks.timedOut === 1n;
    const dump = r.memories[images.outputMemory] as ArrayLike<number>;
    for (let i = run.span.min; i <= run.span.max; i++) output[i] = dump[i % depth]!;
    const got = Object.fromEntries(ARRAY_COUNTER_NAMES.map((k) => [k, Number(r.peeks[`counters_${k}`])])) as unknown as ArrayCounters;
    const want = arrayCycleModel(sub, grid, params, mode).counters;
    addCounters(counters, got);
    addCounters(predicted, want);
    worstRunCycleError = Math.max(worstRunCycleError, Math.abs(got.cycles - want.cycles) / Math.max(1, got.cycles));
  }
  return { output, counters, predicted, runs, wallMs, cpuMs, worstRunCycleError, timedOut };
}
