/**
 * The exact cycle model of the array top (hw/scnn/array-top.ts,
 * docs/pe-array.md section 3a): every PE's compute from the PE's cycle model,
 * the barrier at the slowest PE, and the top's descriptor, fill and drain
 * phases as built. Per unit: 2 descriptor cycles, fill, compute; per window
 * group: the drain; 1 cycle at the end to find no further unit.
 */
import type { ArrayTopParams } from '../../hw/scnn/array-params.ts';
import type { PeTopParams } from '../../hw/scnn/pe-top.ts';
import { groupFlags, hardwarePe, reduceAcrossPes, type ScheduleArray } from './array-images.ts';
import { cycleModel, type PeCounters } from './cycle-model.ts';
import { pointerEntryCount } from './images.ts';
import type { PassSchedule } from './scheduler.ts';
import { windowSize, type Anticipation } from './work-unit.ts';

/** The PE counters summed over the array. */
export type ArrayPeCounters = Omit<PeCounters, 'cycles' | 'fillCycles' | 'computeCycles' | 'drainCycles'>;

export interface ArrayCounters extends ArrayPeCounters {
  cycles: number;
  /** Reading and latching each unit's descriptors, and the final look-up. */
  descriptorCycles: number;
  fillCycles: number;
  /** Σ over units of the slowest PE's compute (the barrier). */
  computeCycles: number;
  /** Drains of the window groups into the output buffer (the halo merge and the cross-PE reduction). */
  drainCycles: number;
}

export const ARRAY_COUNTER_NAMES: readonly (keyof ArrayCounters)[] = [
  'cycles', 'descriptorCycles', 'fillCycles', 'computeCycles', 'drainCycles',
  'candidatePairs', 'issuedPairs', 'busySlots', 'validProducts', 'conflictStalls', 'goldenProducts', 'baselinePairs',
];

export interface ArrayUnitCost {
  readonly fill: number;
  /** Compute cycles of every hardware PE, and their maximum (the barrier). */
  readonly peCompute: readonly number[];
  readonly compute: number;
  /** Drain of the unit's window group when the unit closes it, else 0. */
  readonly drain: number;
}

/** Cycles of the descriptor phase per unit (read, latch), and of the final look-up that finds no unit. */
export const DESCRIPTOR_CYCLES = 2;
/** A PE without segments still reads its (empty) segment range and flushes. */
export const IDLE_PE_COMPUTE = 3;
/** The last drained accumulator's read and write stages. */
export const DRAIN_FLUSH = 2;

export function arrayCycleModel(schedule: PassSchedule, grid: ScheduleArray, params: ArrayTopParams, mode: Anticipation): { counters: ArrayCounters; units: ArrayUnitCost[] } {
  const p = params.pe;
  const P = params.px * params.py;
  const peTop: PeTopParams = { pe: p, fillWidth: params.fillWidth };
  const c: ArrayCounters = {
    cycles: 0, descriptorCycles: 0, fillCycles: 0, computeCycles: 0, drainCycles: 0,
    candidatePairs: 0, issuedPairs: 0, busySlots: 0, validProducts: 0, conflictStalls: 0, goldenProducts: 0, baselinePairs: 0,
  };
  const flags = groupFlags(schedule);
  const reduce = reduceAcrossPes(schedule);
  const units = schedule.units.map(({ unit }, u): ArrayUnitCost => {
    const peCompute = new Array<number>(P).fill(IDLE_PE_COMPUTE);
    const windowCells = new Array<number>(P).fill(0);
    unit.pes.forEach((pe, k) => {
      const m = cycleModel({ ...unit, pes: [pe] }, peTop, mode);
      const i = hardwarePe(k, grid, params);
      peCompute[i] = m.computeCycles;
      windowCells[i] = windowSize(pe.window);
      for (const key of ['candidatePairs', 'issuedPairs', 'busySlots', 'validProducts', 'conflictStalls', 'goldenProducts', 'baselinePairs'] as const) c[key] += m[key];
    });
    const clear = flags[u]!.first ? Math.max(...unit.pes.map((pe) => Math.ceil(windowSize(pe.window) / p.banks))) : 0;
    const fill = Math.max(1, Math.ceil(unit.broadcast.values.length / params.fillWidth), pointerEntryCount(unit, p.anticipation), clear);
    const compute = Math.max(...peCompute);
    // One cycle per accumulator of each PE's window (one for an empty window), PE after PE;
    // the weight gradient walks the one window every PE holds, summing across PEs.
    const walked = reduce ? Math.max(1, windowCells[0]!) : windowCells.reduce((s, n) => s + Math.max(1, n), 0);
    const drain = flags[u]!.last ? walked + DRAIN_FLUSH : 0;
    return { fill, peCompute, compute, drain };
  });
  c.descriptorCycles = DESCRIPTOR_CYCLES * units.length + 1;
  c.fillCycles = units.reduce((s, u) => s + u.fill, 0);
  c.computeCycles = units.reduce((s, u) => s + u.compute, 0);
  c.drainCycles = units.reduce((s, u) => s + u.drain, 0);
  c.cycles = c.descriptorCycles + c.fillCycles + c.computeCycles + c.drainCycles;
  return { counters: c, units };
}
