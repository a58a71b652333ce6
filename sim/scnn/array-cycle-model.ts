/**
 * The exact cycle model of the array top (hw/scnn/array-top.ts,
 * docs/pe-array.md section 3a): every PE's compute from the PE's cycle model,
 * the barrier at the slowest PE, and the top's descriptor, fill and drain
 * phases as built. The fill engine runs one unit ahead of the compute (the
 * PEs' broadcast buffers are double-buffered), so a unit waits only for the
 * part of its fill the unit before did not hide. Per unit: 2 descriptor
 * cycles, the exposed fill (at least the cycle that starts the PEs), compute;
 * per window group: the part of its parallel drain the next group waits for
 * (all of it with one accumulator set; with two, only while the drain engine
 * still drains the group before); the run's last drain; 1 cycle at the end to
 * find no further unit; then the halo merge program (sim/scnn/array-output.ts),
 * phase by phase.
 */
import type { ArrayTopParams } from '../../hw/scnn/array-params.ts';
import type { PeTopParams } from '../../hw/scnn/pe-top.ts';
import { arrayWidths } from '../../hw/scnn/array-params.ts';
import { accumulatorClears, groupFlags, hardwarePe, planOutput, reduceAcrossPes, type ScheduleArray } from './array-output.ts';
import { cycleModel, type PeCounters } from './cycle-model.ts';
import { pointerFillBeats } from './images.ts';
import type { PassSchedule } from './scheduler.ts';
import { groupRows, type Anticipation } from './work-unit.ts';

/** The PE counters summed over the array. */
export type ArrayPeCounters = Omit<PeCounters, 'cycles' | 'fillCycles' | 'computeCycles' | 'drainCycles'>;

export interface ArrayCounters extends ArrayPeCounters {
  cycles: number;
  /** Reading and latching each unit's descriptors, and the final look-up. */
  descriptorCycles: number;
  /** Fill the units wait for: per unit, from its descriptors' latch to the start of its PEs (at least 1 cycle). */
  fillCycles: number;
  /** Σ over units of the slowest PE's compute (the barrier). */
  computeCycles: number;
  /** Drain the units wait for (of the window groups into the output slices, with the cross-PE reduction), and the halo merge. */
  drainCycles: number;
  /** The halo merge at the end of the pass (part of drainCycles). */
  mergeCycles: number;
  /** Cycles the fill engine copies (Σ over units of their fill length), hidden under compute or not; not part of cycles. */
  fillBusyCycles: number;
  /** Cycles the drain engine works (Σ over groups of their drain), hidden under compute or not; not part of cycles. */
  drainBusyCycles: number;
}

export const ARRAY_COUNTER_NAMES: readonly (keyof ArrayCounters)[] = [
  'cycles', 'descriptorCycles', 'fillCycles', 'computeCycles', 'drainCycles', 'mergeCycles', 'fillBusyCycles', 'drainBusyCycles',
  'candidatePairs', 'issuedPairs', 'busySlots', 'validProducts', 'conflictStalls', 'goldenProducts', 'baselinePairs',
];

export interface ArrayUnitCost {
  /** Cycles the fill engine copies the unit (broadcast beats, pointers, and on the run's first unit the clear). */
  readonly fillLength: number;
  /** Fill cycles the unit waits for (the cycle that starts its PEs included). */
  readonly fill: number;
  /** Compute cycles of every hardware PE, and their maximum (the barrier). */
  readonly peCompute: readonly number[];
  readonly compute: number;
  /** Drain of the unit's window group when the unit closes it, else 0: the drain engine's cycles. */
  readonly drain: number;
  /** Cycles the next unit waits after this one's compute for the drain engine (its drain handed off, or done with one set). */
  readonly drainWait: number;
}

/** Cycles of the descriptor phase per unit (read, latch), and of the final look-up that finds no unit. */
export const DESCRIPTOR_CYCLES = 2;
/** A PE without segments still reads its (empty) segment range and flushes. */
export const IDLE_PE_COMPUTE = 3;
/** The fill engine's reading and latching of a unit's descriptor before its first beat. */
export const FILL_DESCRIPTOR_CYCLES = 2;
/** After a drain's last row is read: its add and write (and the adder tree's levels in the weight gradient). */
export const DRAIN_FLUSH = 1;
/** Per merge phase: reading and latching its tables. */
export const MERGE_PHASE_OVERHEAD = 2;
/** After the last phase: the look-up that finds none, and the last transfer's send and add. */
export const MERGE_END = 3;

/**
 * The drain engine's cycles for each unit: every PE drains at once, a bank row per cycle (the
 * group's largest window sets the length), and clears the rows of the next group of its set
 * meanwhile; 0 for a unit that does not close its window group.
 */
export function unitDrains(schedule: PassSchedule, params: ArrayTopParams, clears = accumulatorClears(schedule, params.pe.banks, params.pe.accumulatorSets)): number[] {
  const flags = groupFlags(schedule);
  const flush = DRAIN_FLUSH + (reduceAcrossPes(schedule) ? arrayWidths(params).reductionLevels : 0);
  return schedule.units.map(({ unit }, u) => (flags[u]!.last ? Math.max(1, groupRows(unit, params.pe.banks), clears[u]!.drainClear) + flush : 0));
}

export function arrayCycleModel(schedule: PassSchedule, grid: ScheduleArray, params: ArrayTopParams, mode: Anticipation): { counters: ArrayCounters; units: ArrayUnitCost[] } {
  const p = params.pe;
  const P = params.px * params.py;
  const peTop: PeTopParams = { pe: p, fillWidth: params.fillWidth };
  const c: ArrayCounters = {
    cycles: 0, descriptorCycles: 0, fillCycles: 0, computeCycles: 0, drainCycles: 0, mergeCycles: 0, fillBusyCycles: 0, drainBusyCycles: 0,
    candidatePairs: 0, issuedPairs: 0, busySlots: 0, validProducts: 0, conflictStalls: 0, goldenProducts: 0, baselinePairs: 0,
  };
  const clears = accumulatorClears(schedule, p.banks, p.accumulatorSets);
  const drains = unitDrains(schedule, params, clears);
  // Cycle of each unit's UnitRead (t), of the last beat of the fill before (fillEnd), and the drain
  // engine's last busy cycle (drainEnd; in it the engine already takes the next handoff).
  let t = 0;
  let previousUnitRead = 0;
  let fillEnd = 0;
  let drainEnd = -Infinity;
  const units = schedule.units.map(({ unit }, u): ArrayUnitCost => {
    const peCompute = new Array<number>(P).fill(IDLE_PE_COMPUTE);
    unit.pes.forEach((pe, k) => {
      const m = cycleModel({ ...unit, pes: [pe] }, peTop, mode);
      const i = hardwarePe(k, grid, params);
      peCompute[i] = m.computeCycles;
      for (const key of ['candidatePairs', 'issuedPairs', 'busySlots', 'validProducts', 'conflictStalls', 'goldenProducts', 'baselinePairs'] as const) c[key] += m[key];
    });
    // Only the run's first fill clears accumulator rows (the first group of each set); a later group's rows
    // are cleared by the drain of the group before it in its set.
    const fillLength = Math.max(1, Math.ceil(unit.broadcast.values.length / params.fillWidth), pointerFillBeats(unit, p), clears[u]!.runClear);
    // The fill engine reads unit u's descriptor once its last fill is done and unit u - 1 is the one
    // computing (the half it writes was last read by unit u - 2); its last beat starts the PEs at the
    // earliest, and never before the unit's descriptors are latched.
    const fillRead = u === 0 ? 0 : Math.max(fillEnd + 1, previousUnitRead);
    fillEnd = fillRead + FILL_DESCRIPTOR_CYCLES - 1 + fillLength;
    const start = Math.max(t + DESCRIPTOR_CYCLES, fillEnd);
    const fill = start - t - DESCRIPTOR_CYCLES + 1;
    const compute = Math.max(...peCompute);
    // The barrier's cycle hands the drain off when the engine is free (two sets), else the compute
    // side waits for it; one set waits for the drain itself.
    const drain = drains[u]!;
    const barrier = start + compute;
    const handoff = drain === 0 ? barrier : Math.max(barrier, drainEnd);
    if (drain > 0) drainEnd = handoff + drain;
    const drainWait = drain === 0 ? 0 : p.accumulatorSets === 2 ? handoff - barrier : drain;
    previousUnitRead = t;
    t = barrier + 1 + drainWait;
    return { fillLength, fill, peCompute, compute, drain, drainWait };
  });
  // After the last unit the look-up waits while the drain engine works.
  const drainTail = Math.max(0, drainEnd - t + 1);
  c.descriptorCycles = DESCRIPTOR_CYCLES * units.length + 1;
  c.fillCycles = units.reduce((s, u) => s + u.fill, 0);
  c.fillBusyCycles = units.reduce((s, u) => s + u.fillLength, 0);
  c.computeCycles = units.reduce((s, u) => s + u.compute, 0);
  const phases = planOutput(schedule, grid, params, false).phases;
  c.mergeCycles = phases.length === 0 ? 0 : phases.reduce((s, ph) => s + MERGE_PHASE_OVERHEAD + ph.length, 0) + MERGE_END;
  c.drainBusyCycles = units.reduce((s, u) => s + u.drain, 0);
  c.drainCycles = units.reduce((s, u) => s + u.drainWait, 0) + drainTail + c.mergeCycles;
  c.cycles = c.descriptorCycles + c.fillCycles + c.computeCycles + c.drainCycles;
  return { counters: c, units };
}
