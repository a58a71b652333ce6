/**
 * A pass larger than the array top's buffers, cut into runs: consecutive
 * window groups whose work units, broadcast operands, pointer tables, per-PE
 * stationary elements and segments fit the buffers, and whose outputs lie in
 * one output-buffer span. The output buffer is addressed modulo its depth
 * (the RTL's address arithmetic wraps), so a run whose outputs span at most
 * the buffer's depth never aliases; between runs the buffer is written back
 * and reloaded with the next run's span, which keeps the partial sums that
 * several runs add into the same outputs (docs/pe-array.md section 4).
 */
import type { ArrayTopParams } from '../../hw/scnn/array-params.ts';
import { outputIndexOf } from './assemble.ts';
import { pointerEntryCount } from './images.ts';
import type { PassSchedule } from './scheduler.ts';
import type { PeWindow } from './work-unit.ts';

/** Flat output indices [min, max] a pass's windows can write; empty when min > max. */
export interface OutputSpan {
  readonly min: number;
  readonly max: number;
}

export interface PassRun {
  /** Work units [start, end) of the pass. */
  readonly start: number;
  readonly end: number;
  readonly span: OutputSpan;
}

export class RunPlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunPlanError';
  }
}

const EMPTY_SPAN: OutputSpan = { min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY };

function union(a: OutputSpan, b: OutputSpan): OutputSpan {
  return { min: Math.min(a.min, b.min), max: Math.max(a.max, b.max) };
}

export function spanLength(s: OutputSpan): number {
  return s.max >= s.min ? s.max - s.min + 1 : 0;
}

/**
 * Output indices a window of unit `u` can write. The flat index grows with
 * each window coordinate, so its first and last in-bounds accumulators bound it.
 */
function windowSpan(schedule: PassSchedule, u: number, w: PeWindow): OutputSpan {
  const d = schedule.outputDims;
  const [rows, cols] = schedule.pass === 'matmul' ? [d[0]!, d[1]!] : [d[2]!, d[3]!];
  const lastRow = Math.min(w.windowRows, rows - w.originRow) - 1;
  const lastCol = Math.min(w.windowCols, cols - w.originCol) - 1;
  if (lastRow < 0 || lastCol < 0) return EMPTY_SPAN;
  const addr = (ch: number, sch: number, row: number, col: number) => ((ch * w.stationaryChannels + sch) * w.windowRows + row) * w.windowCols + col;
  const min = outputIndexOf(schedule, u, w, 0);
  const max = outputIndexOf(schedule, u, w, addr(w.channels - 1, w.stationaryChannels - 1, lastRow, lastCol));
  return { min, max };
}

/** Output indices every window of a schedule can write. */
export function passOutputSpan(schedule: PassSchedule): OutputSpan {
  let span = EMPTY_SPAN;
  schedule.units.forEach(({ unit }, u) => {
    if (u > 0 && schedule.units[u - 1]!.group === schedule.units[u]!.group) return;
    for (const pe of unit.pes) span = union(span, windowSpan(schedule, u, pe.window));
  });
  return span;
}

/** The work units of a run as a pass schedule of their own. */
export function runSchedule(schedule: PassSchedule, run: PassRun): PassSchedule {
  return { ...schedule, units: schedule.units.slice(run.start, run.end) };
}

/** Resources a stretch of work units takes in the array top's buffers. */
interface Needs {
  start: number;
  end: number;
  broadcast: number;
  pointers: number;
  stationary: number[];
  segments: number[];
  span: OutputSpan;
}

function joined(a: Needs, b: Needs): Needs {
  return {
    start: a.start,
    end: b.end,
    broadcast: a.broadcast + b.broadcast,
    pointers: a.pointers + b.pointers,
    stationary: a.stationary.map((s, k) => s + b.stationary[k]!),
    segments: a.segments.map((s, k) => s + b.segments[k]!),
    span: union(a.span, b.span),
  };
}

/** Greedily packs consecutive stretches into runs that `fits` accepts. */
function pack(stretches: readonly Needs[], fits: (n: Needs) => boolean, into: Needs[]): void {
  let open: Needs | undefined;
  for (const n of stretches) {
    if (open && fits(joined(open, n))) {
      open = joined(open, n);
      continue;
    }
    if (open) into.push(open);
    open = n;
  }
  if (open) into.push(open);
}

/**
 * Cuts a pass into the fewest consecutive runs (greedily) that each fit the
 * array top `params`. Runs end at window-group boundaries; only a window
 * group too large for the buffers by itself is cut inside, and then each of
 * its runs drains its partial sums into the output buffer, where they add (an
 * extra drain the cycle counts include). A single work unit that exceeds a
 * buffer is refused, naming the buffer.
 */
export function planRuns(schedule: PassSchedule, params: ArrayTopParams): PassRun[] {
  const p = params.pe;
  const units = schedule.units;
  const perUnit: Needs[] = units.map(({ unit }, u) => ({
    start: u,
    end: u + 1,
    broadcast: Math.ceil(unit.broadcast.values.length / params.fillWidth) * params.fillWidth,
    pointers: pointerEntryCount(unit, p.anticipation),
    stationary: unit.pes.map((pe) => pe.stationary.values.length),
    segments: unit.pes.map((pe) => pe.segments.length),
    span: passOutputSpan({ ...schedule, units: [units[u]!] }),
  }));

  const problem = (n: Needs): string | undefined => {
    const count = n.end - n.start;
    if (count > params.unitDepth) return `${count} work units, the descriptor memories hold ${params.unitDepth}`;
    if (n.broadcast > params.globalBroadcastDepth) return `${n.broadcast} broadcast elements, the global broadcast buffer holds ${params.globalBroadcastDepth}`;
    if (n.pointers > params.globalPointerDepth) return `${n.pointers} pointer entries, the global pointer memory holds ${params.globalPointerDepth}`;
    const stat = Math.max(0, ...n.stationary);
    if (stat > p.stationaryDepth) return `${stat} stationary elements in one PE, its stationary buffer holds ${p.stationaryDepth}`;
    const seg = Math.max(0, ...n.segments);
    if (seg > p.segmentDepth) return `${seg} segments in one PE, its segment table holds ${p.segmentDepth}`;
    if (spanLength(n.span) > params.outputDepth) return `outputs spanning ${spanLength(n.span)} elements, the output buffer holds ${params.outputDepth}`;
    return undefined;
  };
  const fits = (n: Needs) => problem(n) === undefined;

  for (const n of perUnit) {
    const why = problem(n);
    if (why) throw new RunPlanError(`${schedule.pass} pass: work unit ${n.start} alone needs ${why}; schedule it with smaller capacities or give the array larger buffers`);
  }
  // Whole window groups where they fit; a group that does not is packed unit by unit on its own.
  const stretches: Needs[] = [];
  for (let u = 0; u < units.length; ) {
    let end = u + 1;
    while (end < units.length && units[end]!.group === units[u]!.group) end++;
    const group = perUnit.slice(u, end).reduce(joined);
    if (fits(group)) stretches.push(group);
    else pack(perUnit.slice(u, end), fits, stretches);
    u = end;
  }
  const runs: Needs[] = [];
  pack(stretches, fits, runs);
  return runs.map((n) => ({ start: n.start, end: n.end, span: n.span }));
}
