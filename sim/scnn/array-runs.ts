/**
 * A pass larger than the array top's buffers, cut into runs: consecutive work
 * units whose descriptors, broadcast operands, pointer tables, per-PE
 * stationary elements and segments, output slices and halo-merge program fit
 * the array (docs/pe-array.md section 4). Each run drains and merges its own
 * outputs; the host adds the outputs of the runs, as a DMA engine adding a
 * run's output tile into the tensor in memory would.
 */
import type { ArrayTopParams } from '../../hw/scnn/array-params.ts';
import { arrayCycleModel, ARRAY_COUNTER_NAMES, type ArrayCounters } from './array-cycle-model.ts';
import { encodeArrayTop } from './array-images.ts';
import { planOutput, type ScheduleArray } from './array-output.ts';
import { pointerFillBeats } from './images.ts';
import type { PassSchedule } from './scheduler.ts';
import type { Anticipation } from './work-unit.ts';

export interface PassRun {
  /** Work units [start, end) of the pass. */
  readonly start: number;
  readonly end: number;
}

export class RunPlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunPlanError';
  }
}

/** The work units of a run as a pass schedule of their own. */
export function runSchedule(schedule: PassSchedule, run: PassRun): PassSchedule {
  return { ...schedule, units: schedule.units.slice(run.start, run.end) };
}

/** What a run of units [start, end) needs beyond the array's buffers, or undefined when it fits. */
export type RunProblem = (start: number, end: number) => string | undefined;

/**
 * The buffers a run must fit: the per-unit sums (descriptors, global broadcast
 * and pointer memories, PE stationary buffers and segment tables) by prefix
 * sums, the output slices and merge program by planning the run's output.
 */
export function runProblem(schedule: PassSchedule, grid: ScheduleArray, params: ArrayTopParams): RunProblem {
  const p = params.pe;
  const units = schedule.units;
  const P = units[0]?.unit.pes.length ?? 0;
  const prefix = (f: (u: number) => number) => {
    const s = new Float64Array(units.length + 1);
    for (let u = 0; u < units.length; u++) s[u + 1] = s[u]! + f(u);
    return s;
  };
  const broadcast = prefix((u) => Math.ceil(units[u]!.unit.broadcast.values.length / params.fillWidth) * params.fillWidth);
  const pointers = prefix((u) => pointerFillBeats(units[u]!.unit, p) * p.pointerLanes);
  const stationary = Array.from({ length: P }, (_, k) => prefix((u) => units[u]!.unit.pes[k]!.stationary.values.length));
  const segments = Array.from({ length: P }, (_, k) => prefix((u) => units[u]!.unit.pes[k]!.segments.length));
  const sum = (s: Float64Array, a: number, b: number) => s[b]! - s[a]!;

  return (start, end) => {
    if (end - start > params.unitDepth) return `${end - start} work units, the descriptor memories hold ${params.unitDepth}`;
    const b = sum(broadcast, start, end);
    if (b > params.globalBroadcastDepth) return `${b} broadcast elements, the global broadcast buffer holds ${params.globalBroadcastDepth}`;
    const ptr = sum(pointers, start, end);
    if (ptr > params.globalPointerDepth) return `${ptr} pointer entries (each unit on a fill beat), the global pointer memory holds ${params.globalPointerDepth}`;
    for (let k = 0; k < P; k++) {
      const st = sum(stationary[k]!, start, end);
      if (st > p.stationaryDepth) return `${st} stationary elements in PE ${k}, its stationary buffer holds ${p.stationaryDepth}`;
      const sg = sum(segments[k]!, start, end);
      if (sg > p.segmentDepth) return `${sg} segments in PE ${k}, its segment table holds ${p.segmentDepth}`;
    }
    const plan = planOutput(runSchedule(schedule, { start, end }), grid, params, false);
    const rows = Math.max(0, ...plan.sliceRowsUsed);
    if (rows * p.banks > params.sliceDepth) return `${rows * p.banks} output-slice entries in one PE, its slice holds ${params.sliceDepth}`;
    if (plan.phases.length > params.mergePhaseDepth) return `${plan.phases.length} halo-merge phases, the merge phase table holds ${params.mergePhaseDepth}`;
    const sent = new Map<number, number>();
    for (const phase of plan.phases) for (const s of phase.sends) sent.set(s.sender, (sent.get(s.sender) ?? 0) + s.count);
    const most = Math.max(0, ...sent.values());
    if (most > params.mergeListDepth) return `${most} halo row transfers sent by one PE, its merge list holds ${params.mergeListDepth}`;
    return undefined;
  };
}

/**
 * The largest end in (start, limit] for which [start, end) fits, among the
 * candidate ends `ends` (ascending), or undefined when even the first does
 * not. Needs grow with the run, so a doubling search then a bisection finds
 * it with few output plans.
 */
function furthestFit(problem: RunProblem, start: number, ends: readonly number[]): number | undefined {
  if (ends.length === 0 || problem(start, ends[0]!) !== undefined) return undefined;
  let good = 0;
  let step = 1;
  while (good + step < ends.length && problem(start, ends[good + step]!) === undefined) {
    good += step;
    step *= 2;
  }
  let bad = Math.min(good + step, ends.length);
  while (bad - good > 1) {
    const mid = (good + bad) >> 1;
    if (problem(start, ends[mid]!) === undefined) good = mid;
    else bad = mid;
  }
  return ends[good];
}

/**
 * Cuts a pass into consecutive runs that each fit the array top `params`.
 * Runs end at window-group boundaries (a group's accumulators live from its
 * first unit to its drain); only a group too large by itself is cut inside,
 * and each of its runs then drains its partial sums (an extra drain the cycle
 * counts include). A work unit that alone exceeds a buffer is refused, naming
 * the buffer.
 */
export function planRuns(schedule: PassSchedule, grid: ScheduleArray, params: ArrayTopParams): PassRun[] {
  const units = schedule.units;
  const problem = runProblem(schedule, grid, params);
  const groupEnds: number[] = [];
  for (let u = 1; u <= units.length; u++) if (u === units.length || units[u]!.group !== units[u - 1]!.group) groupEnds.push(u);
  const runs: PassRun[] = [];
  let start = 0;
  while (start < units.length) {
    const whole = furthestFit(problem, start, groupEnds.filter((e) => e > start));
    let end = whole;
    if (end === undefined) {
      // The group that starts here does not fit: cut it unit by unit.
      const groupEnd = groupEnds.find((e) => e > start)!;
      end = furthestFit(problem, start, Array.from({ length: groupEnd - start }, (_, i) => start + i + 1));
      if (end === undefined) {
        throw new RunPlanError(`${schedule.pass} pass: work unit ${start} alone needs ${problem(start, start + 1)}; schedule it with smaller capacities or give the array larger buffers`);
      }
    }
    runs.push({ start, end });
    start = end;
  }
  return runs;
}

export function zeroCounters(): ArrayCounters {
  return Object.fromEntries(ARRAY_COUNTER_NAMES.map((k) => [k, 0])) as unknown as ArrayCounters;
}

export function addCounters(into: ArrayCounters, c: ArrayCounters): void {
  for (const k of ARRAY_COUNTER_NAMES) into[k] += c[k];
}

/**
 * Counters of a pass start from the products its schedule never forms (a
 * banded weight gradient's, PassSchedule.unformedProducts): with them
 * `goldenProducts` is the pass's golden product count, and those products,
 * RCPs all, count as anticipated (goldenProducts - busySlots) in every mode.
 */
export function passCountersStart(schedule: PassSchedule): ArrayCounters {
  const start = zeroCounters();
  start.goldenProducts = schedule.unformedProducts;
  return start;
}

/** The array cycle model of a whole pass as the array runs it: its runs' counters added. */
export function passCounters(schedule: PassSchedule, grid: ScheduleArray, params: ArrayTopParams, mode: Anticipation, runs = planRuns(schedule, grid, params)): ArrayCounters {
  const sum = passCountersStart(schedule);
  for (const run of runs) addCounters(sum, arrayCycleModel(runSchedule(schedule, run), grid, params, mode).counters);
  return sum;
}

/** Encodes the images of every run of a pass in `mode` without running them: the encoder refuses what the array cannot be given. Returns the runs. */
export function encodePassRuns(schedule: PassSchedule, grid: ScheduleArray, params: ArrayTopParams, mode: Anticipation, runs = planRuns(schedule, grid, params)): readonly PassRun[] {
  for (const run of runs) encodeArrayTop(runSchedule(schedule, run), grid, params, mode, 2 ** 32 - 1);
  return runs;
}
