import type { ArrayTopParams } from '../../hw/scnn/array-params.ts';
import { ARRAY_COUNTER_NAMES, type ArrayCounters } from '../../sim/scnn/array-cycle-model.ts';
import { ANTICIPATION_CODES } from '../../hw/scnn/pe-params.ts';
import { decodeArrayOutput, encodeArrayTop, type ArrayTopImages, type ScheduleArray } from '../../sim/scnn/array-images.ts';
import type { PassSchedule } from '../../sim/scnn/scheduler.ts';
import type { Anticipation } from '../../sim/scnn/work-unit.ts';
import type { VerilatedModel } from '../../sim/verilator/build.ts';
import { runBulk, type BulkTiming } from '../../sim/verilator/bulk.ts';
import { BulkSession } from '../../sim/verilator/bulk-session.ts';

/** Where a run's wall time went: the bulk job's phases, and encoding its images and decoding its output here. */
export interface ArrayRunTiming extends BulkTiming {
  readonly encodeMs: number;
  readonly decodeMs: number;
}

export interface ArrayRun {
  /** The pass's output tensor as the output slices hold it. */
  readonly output: Int32Array;
  readonly counters: ArrayCounters;
  readonly timedOut: boolean;
  readonly wallMs: number;
  /** CPU time of the model process. */
  readonly cpuMs: number;
  readonly timing: ArrayRunTiming;
}

/**
 * Runs every work unit of a pass on a built array top in one bulk run and
 * reads back the output slices: in a process of its own (a model) or as the
 * next job of a session. The images are encoded and written before the first
 * await, so a caller that does not wait prepares this run while the session's
 * model runs the one before.
 */
export async function runArrayTop(runner: VerilatedModel | BulkSession, params: ArrayTopParams, schedule: PassSchedule, grid: ScheduleArray, mode: Anticipation, opts: { seed: number; cycleLimit?: number }): Promise<ArrayRun> {
  const limit = opts.cycleLimit ?? 2 ** 32 - 1;
  const t0 = performance.now();
  const images = encodeArrayTop(schedule, grid, params, mode, limit);
  return runArrayImages(runner, params, images, limit, { seed: opts.seed, encodeMs: performance.now() - t0 });
}

/**
 * A run's images in another anticipation mode. The images of a pass do not
 * depend on the mode, only the mode register does, so they are encoded once
 * for all modes; a mode the PE cannot run is encoded in full, which refuses it
 * with the encoder's own message. (Should the images ever come to depend on
 * the mode, the runs would differ from the golden layer and the cycle model,
 * which every caller checks: loudly, never silently.)
 */
export function imagesInMode(images: ArrayTopImages, params: ArrayTopParams, schedule: PassSchedule, grid: ScheduleArray, mode: Anticipation, cycleLimit: number): ArrayTopImages {
  if (ANTICIPATION_CODES[mode] > ANTICIPATION_CODES[params.pe.anticipation]) return encodeArrayTop(schedule, grid, params, mode, cycleLimit);
  return { ...images, config: { ...images.config, cfg_mode: ANTICIPATION_CODES[mode] } };
}

/** Runs encoded images (see runArrayTop); `encodeMs` is what encoding them cost, for the timing. */
export async function runArrayImages(runner: VerilatedModel | BulkSession, params: ArrayTopParams, images: ArrayTopImages, cycleLimit: number, opts: { seed: number; encodeMs: number }): Promise<ArrayRun> {
  const limit = cycleLimit;
  const encodeMs = opts.encodeMs;
  const job = {
    seed: opts.seed,
    config: images.config,
    loadMemories: images.memories,
    dumpMemories: images.sliceMemories,
    donePort: 'done',
    peek: [...ARRAY_COUNTER_NAMES.map((k) => `counters_${k}`), 'timedOut'],
    // The watchdog ends every run; this only catches a broken watchdog.
    maxCycles: Math.min(limit + 16, 2 ** 31),
  };
  const r = await (runner instanceof BulkSession ? runner.run(job) : runBulk(runner, job));
  const t1 = performance.now();
  const counters = Object.fromEntries(ARRAY_COUNTER_NAMES.map((k) => [k, Number(r.peeks[`counters_${k}`])])) as unknown as ArrayCounters;
  const output = decodeArrayOutput(images, params, images.sliceMemories.map((m) => r.memories[m] as bigint[]));
  const decodeMs = performance.now() - t1;
  return { output, counters, timedOut: r.peeks.timedOut === 1n, wallMs: encodeMs + r.wallMs + decodeMs, cpuMs: r.cpuMs, timing: { ...r.timing, encodeMs, decodeMs } };
}
