import type { ArrayTopParams } from '../../hw/scnn/array-params.ts';
import { ARRAY_COUNTER_NAMES, type ArrayCounters } from '../../sim/scnn/array-cycle-model.ts';
import { decodeArrayOutput, encodeArrayTop, type ScheduleArray } from '../../sim/scnn/array-images.ts';
import type { PassSchedule } from '../../sim/scnn/scheduler.ts';
import type { Anticipation } from '../../sim/scnn/work-unit.ts';
import type { VerilatedModel } from '../../sim/verilator/build.ts';
import { runBulk } from '../../sim/verilator/bulk.ts';

export interface ArrayRun {
  /** The pass's output tensor as the output slices hold it. */
  readonly output: Int32Array;
  readonly counters: ArrayCounters;
  readonly timedOut: boolean;
  readonly wallMs: number;
  /** CPU time of the model process. */
  readonly cpuMs: number;
}

/** Runs every work unit of a pass on a built array top in one bulk run and reads back the output slices. */
export async function runArrayTop(model: VerilatedModel, params: ArrayTopParams, schedule: PassSchedule, grid: ScheduleArray, mode: Anticipation, opts: { seed: number; cycleLimit?: number }): Promise<ArrayRun> {
  const limit = opts.cycleLimit ?? 2 ** 32 - 1;
  const images = encodeArrayTop(schedule, grid, params, mode, limit);
  const r = await runBulk(model, {
    seed: opts.seed,
    config: images.config,
    loadMemories: images.memories,
    dumpMemories: images.sliceMemories,
    donePort: 'done',
    peek: [...ARRAY_COUNTER_NAMES.map((k) => `counters_${k}`), 'timedOut'],
    // The watchdog ends every run; this only catches a broken watchdog.
    maxCycles: Math.min(limit + 16, 2 ** 31),
  });
  const counters = Object.fromEntries(ARRAY_COUNTER_NAMES.map((k) => [k, Number(r.peeks[`counters_${k}`])])) as unknown as ArrayCounters;
  return { output: decodeArrayOutput(images, params, images.sliceMemories.map((m) => r.memories[m] as bigint[])), counters, timedOut: r.peeks.timedOut === 1n, wallMs: r.wallMs, cpuMs: r.cpuMs };
}
