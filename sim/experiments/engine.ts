/**
 * The interface between the PE-array experiments (ant, sparsert, lstm, ...)
 * and what computes their cycles. The model engine schedules a layer pass or a
 * matrix product (sim/scnn/scheduler.ts) on an array (sim/scnn/array-config.ts
 * ArraySpec: the array top's hardware parameters plus the scheduler's unit
 * capacities), cuts it into the runs the array top's buffers hold
 * (sim/scnn/array-runs.ts planRuns) and sums the exact array cycle model over
 * those runs (passCounters) in each anticipation mode asked for: what the
 * hardware does with the pass. Experiments call only this and the figures
 * derived below. The RTL engine (rtl-engine.ts) runs the same schedule and
 * runs on the Verilator model of the array top; pe-array-engines.ts picks one.
 */
import type { ConvShape, TrainingPass } from '../golden/conv-shape.ts';
import { unitDrains, type ArrayCounters } from '../scnn/array-cycle-model.ts';
import { scheduleConfig, type ArraySpec } from '../scnn/array-config.ts';
import { passCounters, planRuns, runSchedule, type PassRun } from '../scnn/array-runs.ts';
import type { PassSchedule } from '../scnn/scheduler.ts';
import type { ScheduleArray } from '../scnn/array-images.ts';
import { reduceAcrossPes } from '../scnn/array-output.ts';
import { derivedCounters } from '../scnn/cycle-model.ts';
import { schedulePass } from '../scnn/layer-run.ts';
import { scheduleMatmul, type ConvOperands, type Matrix } from '../scnn/scheduler.ts';
import type { Anticipation } from '../scnn/work-unit.ts';

export type { Anticipation };

/** A convolution layer's training pass (a fully-connected layer runs in matrix mode), or a plain matrix product C = A · B. */
export type EngineWork =
  | { readonly kind: 'conv'; readonly shape: ConvShape; readonly pass: TrainingPass; readonly operands: ConvOperands }
  | { readonly kind: 'matmul'; readonly a: Matrix; readonly b: Matrix };

export interface EngineRequest {
  readonly array: ArraySpec;
  /** PEs the pass is scheduled on; default the whole array. */
  readonly grid?: ScheduleArray;
  readonly work: EngineWork;
  readonly modes: readonly Anticipation[];
  /** Layer name, for messages. */
  readonly label: string;
}

export interface EngineResult {
  /** Work units and window groups of the schedule. */
  readonly units: number;
  readonly groups: number;
  /** Runs the array top's buffers cut the pass into (planRuns); each drains and merges its own outputs. */
  readonly runs: number;
  /**
   * Drain cycles (in every mode alike) of runs that end inside a window group,
   * where the array drains partial sums the group's next run adds to: part of
   * drainCycles. Sampling scales them with the whole slice, not only with its
   * output share (pass-sampling.ts scaleCounters).
   */
  readonly runCutDrainCycles: number;
  /**
   * Whether the pass drains through the reduction network (a planar weight gradient: every PE's
   * bank row is summed into one slice row) rather than every PE into its own slice.
   */
  readonly reducedDrain: boolean;
  /** The array counters of the whole pass (summed over its runs) in each mode asked for. */
  readonly byMode: Readonly<Partial<Record<Anticipation, ArrayCounters>>>;
  /** Which engine made the figures. */
  readonly madeBy: string;
}

export type EngineKind = 'model' | 'rtl';

export interface PeArrayEngine {
  readonly kind: EngineKind;
  run(request: EngineRequest): Promise<EngineResult>;
}

export const MODEL_MADE_BY = 'array cycle model summed over the runs the array top holds (sim/scnn/array-runs.ts passCounters, planRuns) on schedules of sim/scnn/scheduler.ts';
export const RTL_MADE_BY = 'Verilator RTL of the array top (hw/scnn/array-top.ts) over the runs its buffers hold, every output bit-exact against the golden layer and every run\'s counters equal to the array cycle model (rtl-engine.ts)';

/** A request's work as the array runs it: the schedule on its grid and the runs the array top's buffers cut it into. */
export interface PlannedWork {
  readonly grid: ScheduleArray;
  readonly schedule: PassSchedule;
  readonly runs: PassRun[];
}

/** Schedules a request's work on its grid (both engines run exactly this). */
export function planWork({ array, grid, work, label }: EngineRequest): PlannedWork {
  const g = grid ?? { px: array.top.px, py: array.top.py };
  if (g.px > array.top.px || g.py > array.top.py) throw new RangeError(`${label}: a ${g.px} x ${g.py} schedule does not fit the ${array.top.px} x ${array.top.py} array`);
  const cfg = scheduleConfig(array.top, g, array.capacities);
  const schedule = work.kind === 'conv' ? schedulePass(work.shape, work.pass, work.operands, cfg, label) : scheduleMatmul(work.a, work.b, cfg, label);
  return { grid: g, schedule, runs: planRuns(schedule, g, array.top) };
}

/** The result fields both engines share: what the schedule and its runs are. */
export function plannedShape({ schedule, runs }: PlannedWork, array: ArraySpec): Omit<EngineResult, 'byMode' | 'madeBy'> {
  return { units: schedule.units.length, groups: new Set(schedule.units.map((u) => u.group)).size, runs: runs.length, runCutDrainCycles: runCutDrains(schedule, runs, array), reducedDrain: reduceAcrossPes(schedule) };
}

/** The cycle-model engine: exact for the array as built (docs/pe-array.md section 3a). */
export const modelEngine: PeArrayEngine = {
  kind: 'model',
  async run(request) {
    const planned = planWork(request);
    const { schedule, grid, runs } = planned;
    const byMode: Partial<Record<Anticipation, ArrayCounters>> = {};
    for (const mode of request.modes) byMode[mode] = passCounters(schedule, grid, request.array.top, mode, runs);
    return { ...plannedShape(planned, request.array), byMode, madeBy: MODEL_MADE_BY };
  },
};

/** The drains of the runs that end inside a window group: each is its last unit's drain, as a run of that unit alone drains it. */
function runCutDrains(schedule: PassSchedule, runs: readonly PassRun[], array: ArraySpec): number {
  let cycles = 0;
  for (const { end } of runs) {
    if (end === schedule.units.length || schedule.units[end]!.group !== schedule.units[end - 1]!.group) continue;
    cycles += unitDrains(runSchedule(schedule, { start: end - 1, end }), array.top)[0]!;
  }
  return cycles;
}

/** Figures of one pass in one mode, derived from the array counters. */
export interface PassFigures {
  readonly cycles: number;
  readonly descriptorCycles: number;
  readonly fillCycles: number;
  readonly computeCycles: number;
  readonly drainCycles: number;
  /** Multiplier slots that held an operand pair. */
  readonly busySlots: number;
  readonly validProducts: number;
  /** Every Cartesian product the schedule hands the array. */
  readonly cartesianProducts: number;
  /** RCPs that reached a multiplier, and RCPs removed before the multipliers. */
  readonly rcpsComputed: number;
  readonly rcpsAnticipated: number;
  /** Broadcast vectors fetched against a stationary vector, and pairs that reached the multipliers. */
  readonly candidatePairs: number;
  readonly issuedPairs: number;
  readonly conflictStalls: number;
  /** Valid products / (cycles x multipliers). */
  readonly utilisation: number;
  /** Busy slots / (cycles x multipliers). */
  readonly slotOccupancy: number;
}

export function multipliersOfArray(array: ArraySpec): number {
  return array.top.px * array.top.py * array.top.pe.F * array.top.pe.I;
}

export function passFigures(c: ArrayCounters, multipliers: number): PassFigures {
  const d = derivedCounters(c);
  const slots = c.cycles * multipliers;
  return {
    cycles: c.cycles,
    descriptorCycles: c.descriptorCycles,
    fillCycles: c.fillCycles,
    computeCycles: c.computeCycles,
    drainCycles: c.drainCycles,
    busySlots: c.busySlots,
    validProducts: c.validProducts,
    cartesianProducts: c.goldenProducts,
    rcpsComputed: d.rcpsComputed,
    rcpsAnticipated: d.rcpsAnticipated,
    candidatePairs: c.candidatePairs,
    issuedPairs: c.issuedPairs,
    conflictStalls: c.conflictStalls,
    utilisation: slots === 0 ? 0 : c.validProducts / slots,
    slotOccupancy: slots === 0 ? 0 : c.busySlots / slots,
  };
}
