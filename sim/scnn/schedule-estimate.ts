/**
 * A quick estimate of a schedule's cycles on the array, for choices the scheduler makes by cost
 * (which operand of a weight gradient stays in the PEs). It runs the exact PE cycle model on an
 * evenly spaced sample of the units and scales by the unit count: each unit costs the larger of
 * its fill (which the double-buffered broadcast overlaps with the unit before) and its slowest
 * PE's compute, and each window group's drain, one bank row a cycle, is counted when it is longer.
 * The array's descriptor, barrier and halo-merge cycles are left out; both candidates pay them
 * alike. Not the cycle model of record (sim/scnn/array-cycle-model.ts): a ranking, not a figure.
 */
import { DEFAULT_ARRAY_TOP } from '../../hw/scnn/array-params.ts';
import type { PeTopParams } from '../../hw/scnn/pe-top.ts';
import type { ArrayConfig } from './array-config.ts';
import { cycleModel } from './cycle-model.ts';
import { pointerFillBeats } from './images.ts';
import type { PassSchedule } from './scheduler.ts';
import { groupRows } from './work-unit.ts';

/** Units the estimate runs the cycle model on, at most. */
export const ESTIMATE_SAMPLE_UNITS = 12;

/** The PE the schedule's array config describes, with the default array's fill width and bank mapping. */
function peTopOf(cfg: ArrayConfig): PeTopParams {
  const pe = { ...DEFAULT_ARRAY_TOP.pe, F: cfg.F, I: cfg.I, banks: cfg.banks, bankDepth: cfg.bankDepth, coordBits: cfg.coordBits, pointerDepth: cfg.pointerDepth, anticipation: cfg.anticipation };
  return { pe, fillWidth: Math.min(DEFAULT_ARRAY_TOP.fillWidth, cfg.F) };
}

export function estimateScheduleCycles(schedule: PassSchedule, cfg: ArrayConfig, sampleUnits = ESTIMATE_SAMPLE_UNITS): number {
  const units = schedule.units;
  if (units.length === 0) return 0;
  const top = peTopOf(cfg);
  const count = Math.min(sampleUnits, units.length);
  let sampled = 0;
  for (let i = 0; i < count; i++) {
    const { unit } = units[Math.floor(((i + 0.5) * units.length) / count)]!;
    const fill = Math.max(Math.ceil(unit.broadcast.values.length / top.fillWidth), pointerFillBeats(unit, top.pe));
    let compute = 0;
    for (const pe of unit.pes) if (pe.segments.length > 0) compute = Math.max(compute, cycleModel({ ...unit, pes: [pe] }, top, cfg.anticipation).computeCycles);
    sampled += Math.max(fill, compute);
  }
  let drain = 0;
  units.forEach(({ unit, group }, u) => {
    if (u === units.length - 1 || units[u + 1]!.group !== group) drain += groupRows(unit, cfg.banks);
  });
  return Math.max((sampled * units.length) / count, drain);
}
