/**
 * Seeded random work units of every pass for one PE: sparse operands at a
 * given density, sorted by (row, col, ch) per segment as the contract
 * requires, with the whole layer output as the PE's window.
 */
import { Rng } from '../golden/random.ts';
import type { ArrayPass, BroadcastSegment, PeSegment, WorkUnit } from './work-unit.ts';

export interface RandomUnitOptions {
  readonly pass: ArrayPass;
  /** Probability that an operand element is non-zero. */
  readonly density: number;
  readonly stride: 1 | 2 | 4;
  readonly padding: number;
  readonly seed: number;
  /** Largest map side drawn (inputs of a convolution, matrix sides). */
  readonly maxMap?: number;
  readonly maxChannels?: number;
}

interface Item {
  value: number;
  row: number;
  col: number;
  ch: number;
}

function sparseValue(rng: Rng, density: number): number {
  if (!rng.bernoulli(density)) return 0;
  const v = rng.nextInt(255) - 127;
  return v === 0 ? 1 : v;
}

function sortItems(items: Item[]): Item[] {
  return items.sort((a, b) => a.row - b.row || a.col - b.col || a.ch - b.ch);
}

/** Segments of sorted items concatenated into one structure-of-arrays list. */
function concat(segments: Item[][]): { list: WorkUnit['broadcast']; ranges: { start: number; end: number }[] } {
  const all: Item[] = [];
  const ranges = segments.map((seg) => {
    const start = all.length;
    all.push(...sortItems(seg));
    return { start, end: all.length };
  });
  return {
    list: {
      values: Int32Array.from(all, (e) => e.value),
      row: Int32Array.from(all, (e) => e.row),
      col: Int32Array.from(all, (e) => e.col),
      ch: Int32Array.from(all, (e) => e.ch),
    },
    ranges,
  };
}

export function randomWorkUnit(o: RandomUnitOptions): WorkUnit {
  const rng = new Rng(o.seed);
  const maxMap = o.maxMap ?? 9;
  const maxCh = o.maxChannels ?? 3;
  const between = (lo: number, hi: number) => lo + rng.nextInt(hi - lo + 1);
  const p = o.padding;
  const st = o.stride;
  const plane = (rows: number, cols: number, chs: number, ch: (c: number) => number = (c) => c): Item[] => {
    const items: Item[] = [];
    for (let c = 0; c < chs; c++) for (let r = 0; r < rows; r++) for (let q = 0; q < cols; q++) {
      const value = sparseValue(rng, o.density);
      if (value !== 0) items.push({ value, row: r, col: q, ch: ch(c) });
    }
    return items;
  };
  if (o.pass === 'matmul') {
    const m = between(1, maxMap * 2);
    const k = between(1, maxMap);
    const n = between(1, maxMap * 2);
    const originCol = rng.nextInt(n);
    const windowCols = between(1, n - originCol);
    const aCols = Array.from({ length: k }, () => [] as Item[]);
    const bRows = Array.from({ length: k }, () => [] as Item[]);
    for (let i = 0; i < m; i++) for (let kk = 0; kk < k; kk++) {
      const v = sparseValue(rng, o.density);
      if (v) aCols[kk]!.push({ value: v, row: i, col: 0, ch: 0 });
    }
    for (let kk = 0; kk < k; kk++) for (let j = 0; j < n; j++) {
      const v = sparseValue(rng, o.density);
      if (v) bRows[kk]!.push({ value: v, row: j, col: 0, ch: 0 });
    }
    return assemble({ pass: 'matmul', stride: 1, padding: 0, outRows: 0, outCols: 0, broadcastRows: n, broadcastCols: 1 }, aCols, bRows, aCols.map((_, i) => i), {
      originRow: 0, originCol, windowRows: m, windowCols, channels: 1, stationaryChannels: 1,
    });
  }
  // A convolution layer whose output has at least one row and column.
  let h: number;
  let w: number;
  let r: number;
  let s: number;
  do {
    r = between(1, 3);
    s = between(1, 3);
    h = between(1, maxMap);
    w = between(1, maxMap);
  } while (h + 2 * p < r || w + 2 * p < s);
  const e = Math.floor((h + 2 * p - r) / st) + 1;
  const f = Math.floor((w + 2 * p - s) / st) + 1;
  const cIn = between(1, maxCh);
  const kOut = between(1, maxCh);
  if (o.pass === 'forward') {
    // Segment per input channel c: X[c] against W[:, c].
    const x = Array.from({ length: cIn }, () => plane(h, w, 1, () => 0));
    const wt = Array.from({ length: cIn }, () => plane(r, s, kOut));
    return assemble({ pass: 'forward', stride: st, padding: p, outRows: e, outCols: f, broadcastRows: r, broadcastCols: s }, x, wt, x.map((_, i) => i), {
      originRow: 0, originCol: 0, windowRows: e, windowCols: f, channels: kOut, stationaryChannels: 1,
    });
  }
  if (o.pass === 'inputGradient') {
    // Segment per output channel k: dY[k] against W[k, :].
    const dy = Array.from({ length: kOut }, () => plane(e, f, 1, () => 0));
    const wt = Array.from({ length: kOut }, () => plane(r, s, cIn));
    return assemble({ pass: 'inputGradient', stride: st, padding: p, outRows: h, outCols: w, broadcastRows: r, broadcastCols: s }, dy, wt, dy.map((_, i) => i), {
      originRow: 0, originCol: 0, windowRows: h, windowCols: w, channels: cIn, stationaryChannels: 1,
    });
  }
  // weightGradient: segment per batch sample n: X[n] (all channels) against dY[n] (all channels).
  const batch = between(1, 2);
  const x = Array.from({ length: batch }, () => plane(h, w, cIn));
  const dy = Array.from({ length: batch }, () => plane(e, f, kOut));
  if (o.pass === 'weightGradientSwapped') {
    // The same pairs with the roles swapped: dY[n] stationary, X[n] broadcast.
    return assemble({ pass: 'weightGradientSwapped', stride: st, padding: p, outRows: r, outCols: s, broadcastRows: h, broadcastCols: w }, dy, x, dy.map((_, i) => i), {
      originRow: 0, originCol: 0, windowRows: r, windowCols: s, channels: cIn, stationaryChannels: kOut,
    });
  }
  return assemble({ pass: 'weightGradient', stride: st, padding: p, outRows: r, outCols: s, broadcastRows: e, broadcastCols: f }, x, dy, x.map((_, i) => i), {
    originRow: 0, originCol: 0, windowRows: r, windowCols: s, channels: kOut, stationaryChannels: cIn,
  });
}

function assemble(
  geometry: WorkUnit['geometry'],
  stationary: Item[][],
  broadcast: Item[][],
  pairing: number[],
  window: WorkUnit['pes'][number]['window'],
): WorkUnit {
  const s = concat(stationary);
  const b = concat(broadcast);
  const broadcastSegments: BroadcastSegment[] = b.ranges;
  const segments: PeSegment[] = s.ranges.map((range, i) => ({ ...range, broadcastSegment: pairing[i]! }));
  return { geometry, broadcast: b.list, broadcastSegments, pes: [{ window, stationary: s.list, segments }] };
}
