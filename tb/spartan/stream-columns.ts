import type { OutputColumn } from '../../sim/verilator/bulk.ts';

/**
 * Lane columns of tensors sent back to back on a V-lane stream: column j
 * holds lane j of every beat. Each tensor starts on a new beat; lanes past
 * its end are zero.
 */
export function laneColumns(tensors: readonly ArrayLike<number>[], lanes: number): Int32Array[] {
  const beats = tensors.reduce((n, t) => n + Math.ceil(t.length / lanes), 0);
  const columns = Array.from({ length: lanes }, () => new Int32Array(beats));
  let beat = 0;
  for (const t of tensors) {
    for (let i = 0; i < t.length; i++) columns[i % lanes]![beat + Math.floor(i / lanes)] = t[i]!;
    beat += Math.ceil(t.length / lanes);
  }
  return columns;
}

/** Row `i` of output columns as numbers (every field of these streams fits 32 bits). */
export function rowOf(columns: readonly OutputColumn[], i: number): number[] {
  return columns.map((c) => Number(c[i]!));
}
