/**
 * The PE array's counters (issue 9): what one PE counts while it computes a work
 * unit, and how a pass's units add up on the whole array once fills, barriers
 * and drains are laid out by the array timeline.
 */
import { reduceAcrossPes } from './array-output.ts';
import { arrayTimeline, type UnitPhaseCosts } from './array-timing.ts';
import type { PassSchedule } from './scheduler.ts';
import { windowSize } from './work-unit.ts';

/** What one PE counts over one work unit's compute phase. */
export interface PeCounters {
  /** Cycles from the unit's start to this PE's last product written. */
  readonly cycles: number;
  /** Operand pairs that reached a multiplier (a slot used by a real stationary x broadcast pair). */
  readonly busySlots: number;
  readonly validProducts: number;
  /** Busy slots whose product was redundant. */
  readonly rcpsComputed: number;
  /** Products of the golden Cartesian product that never reached a multiplier. */
  readonly rcpsAnticipated: number;
  /** Vector pairs the range test rejected or the row pointers never fetched. */
  readonly pairsSkipped: number;
  readonly bankConflictStalls: number;
  /** Cycles with no pair issued (pointer look-ups, rejected candidates, pipeline fill and drain). */
  readonly idleCycles: number;
}

export const ZERO_PE_COUNTERS: PeCounters = {
  cycles: 0,
  busySlots: 0,
  validProducts: 0,
  rcpsComputed: 0,
  rcpsAnticipated: 0,
  pairsSkipped: 0,
  bankConflictStalls: 0,
  idleCycles: 0,
};

export function addPeCounters(a: PeCounters, b: PeCounters): PeCounters {
  return {
    cycles: a.cycles + b.cycles,
    busySlots: a.busySlots + b.busySlots,
    validProducts: a.validProducts + b.validProducts,
    rcpsComputed: a.rcpsComputed + b.rcpsComputed,
    rcpsAnticipated: a.rcpsAnticipated + b.rcpsAnticipated,
    pairsSkipped: a.pairsSkipped + b.pairsSkipped,
    bankConflictStalls: a.bankConflictStalls + b.bankConflictStalls,
    idleCycles: a.idleCycles + b.idleCycles,
  };
}

/** The array's costs beside the PEs' compute. */
export interface ArrayCosts {
  /** Broadcast elements the fill bus writes per cycle. */
  readonly fillWidth: number;
  /** Accumulator banks (entries drained per cycle per PE). */
  readonly banks: number;
  readonly px: number;
  readonly py: number;
}

/** One pass on the whole array. */
export interface PassCounters {
  readonly cycles: number;
  /** Every PE's counters summed over the pass (cycles: PE compute cycles summed). */
  readonly pe: PeCounters;
  /** Cycles the fill bus streamed broadcast operands. */
  readonly fillCycles: number;
  /** Cycles the drains, halo merges and weight-gradient reductions took. */
  readonly haloReductionCycles: number;
  /** Array cycles with no PE computing (waiting for a fill or a free accumulator set, and the last drain). */
  readonly stallCycles: number;
  /** PE-cycles spent waiting at unit barriers for the slowest PE, summed over PEs. */
  readonly barrierIdleCycles: number;
}

/** Cycles to drain one window group: the window read A entries a cycle, plus the reduction chain's latency in the weight gradient. */
export function drainCycles(schedule: PassSchedule, unitIndex: number, costs: ArrayCosts): number {
  const { unit } = schedule.units[unitIndex]!;
  const window = Math.max(...unit.pes.map((p) => windowSize(p.window)));
  const rows = Math.ceil(window / costs.banks);
  return reduceAcrossPes(schedule) ? rows + costs.px + costs.py : rows;
}

/** Lays a pass's units out on the array timeline from each PE's counters (`perUnit[u][pe]`). */
export function composePass(schedule: PassSchedule, perUnit: readonly (readonly PeCounters[])[], costs: ArrayCosts): PassCounters {
  if (perUnit.length !== schedule.units.length) throw new RangeError(`${schedule.units.length} units scheduled, counters for ${perUnit.length}`);
  let pe = ZERO_PE_COUNTERS;
  let barrierIdleCycles = 0;
  const phases: UnitPhaseCosts[] = perUnit.map((pes, u) => {
    const slowest = Math.max(0, ...pes.map((c) => c.cycles));
    for (const c of pes) {
      pe = addPeCounters(pe, c);
      barrierIdleCycles += slowest - c.cycles;
    }
    const { unit, group } = schedule.units[u]!;
    return { fill: Math.ceil(unit.broadcast.values.length / costs.fillWidth), compute: slowest, group, drain: drainCycles(schedule, u, costs) };
  });
  const timeline = arrayTimeline(phases);
  return {
    cycles: timeline.totalCycles,
    pe,
    fillCycles: phases.reduce((s, p) => s + p.fill, 0),
    haloReductionCycles: timeline.drains.reduce((s, d) => s + d.end - d.start, 0),
    stallCycles: timeline.stallCycles,
    barrierIdleCycles,
  };
}
