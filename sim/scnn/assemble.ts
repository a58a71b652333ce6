/**
 * Puts a pass back together: every PE window of every work unit is added into
 * the output tensor at its global coordinates. Overlapping windows are the
 * halos of neighbouring tiles (forward, input gradient), the same block held by
 * every PE (planar weight gradient) or the partial sums of units that split a
 * reduction; all of them add. This is the arithmetic the array's halo merge and
 * reduction network perform (docs/pe-array.md section 3).
 */
import type { PassSchedule, Placement } from './scheduler.ts';
import { windowSize, type PeWindow } from './work-unit.ts';

/** The sample PE `pe`'s window of a unit belongs to (forward and input gradient). */
export function sampleOf(placement: Placement, pe: number): number {
  return placement.peSamples ? placement.peSamples[pe]! : placement.n;
}

/** The first stationary channel of PE `pe`'s window of a unit (weight gradient). */
export function stationaryChannelBaseOf(placement: Placement, pe: number): number {
  return placement.peStationaryChannelBases ? placement.peStationaryChannelBases[pe]! : placement.stationaryChannelBase;
}

/** Flat output index of address `addr` of PE `pe`'s window, or -1 when the address lies outside the output tensor. */
export function outputIndexOf(schedule: PassSchedule, unitIndex: number, pe: number, window: PeWindow, addr: number): number {
  const { placement } = schedule.units[unitIndex]!;
  const col = addr % window.windowCols;
  const row = Math.floor(addr / window.windowCols) % window.windowRows;
  const rest = Math.floor(addr / (window.windowCols * window.windowRows));
  const sch = rest % window.stationaryChannels;
  const ch = Math.floor(rest / window.stationaryChannels);
  const d = schedule.outputDims;
  const r = placement.rowBase + window.originRow + row;
  const c = placement.colBase + window.originCol + col;
  switch (schedule.pass) {
    case 'forward':
    case 'inputGradient': {
      const [, channels, rows, cols] = d as [number, number, number, number];
      if (r >= rows || c >= cols) return -1;
      return ((sampleOf(placement, pe) * channels + placement.channelBase + ch) * rows + r) * cols + c;
    }
    case 'weightGradient': {
      const [, channels, rows, cols] = d as [number, number, number, number];
      if (r >= rows || c >= cols) return -1;
      return (((placement.channelBase + ch) * channels + stationaryChannelBaseOf(placement, pe) + sch) * rows + r) * cols + c;
    }
    case 'weightGradientSwapped': {
      // The broadcast channel is c and the stationary channel k: dW[k, c, r, s].
      const [, channels, rows, cols] = d as [number, number, number, number];
      if (r >= rows || c >= cols) return -1;
      return (((stationaryChannelBaseOf(placement, pe) + sch) * channels + placement.channelBase + ch) * rows + r) * cols + c;
    }
    case 'matmul': {
      const [rows, cols] = d as [number, number];
      if (r >= rows || c >= cols) return -1;
      return r * cols + c;
    }
  }
}

/** Sums the drained windows (`windows[unit][pe]`) into the output tensor with 32-bit wrap. */
export function assembleOutput(schedule: PassSchedule, windows: readonly (readonly Int32Array[])[]): Int32Array {
  if (windows.length !== schedule.units.length) {
    throw new RangeError(`assembly needs the windows of ${schedule.units.length} work units, got ${windows.length}`);
  }
  const out = new Int32Array(schedule.outputDims.reduce((a, b) => a * b, 1));
  schedule.units.forEach(({ unit }, u) => {
    unit.pes.forEach((pe, p) => {
      const w = windows[u]![p];
      if (!w || w.length !== windowSize(pe.window)) {
        throw new RangeError(`work unit ${u}, PE ${p}: expected a window of ${windowSize(pe.window)} accumulators, got ${w?.length ?? 'none'}`);
      }
      for (let a = 0; a < w.length; a++) {
        const v = w[a]!;
        if (v === 0) continue;
        const idx = outputIndexOf(schedule, u, p, pe.window, a);
        if (idx < 0) throw new RangeError(`work unit ${u}, PE ${p}: accumulator ${a} holds ${v} but lies outside the output`);
        out[idx] = (out[idx]! + v) | 0;
      }
    });
  });
  return out;
}
