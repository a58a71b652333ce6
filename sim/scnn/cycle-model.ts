/**
 * The exact cycle model of the PE and its 1 x 1 top (hw/scnn/pe.ts,
 * hw/scnn/pe-top.ts): the sequencer walked step by step with the costs of
 * docs/pe-array.md ("cycle costs"), without simulating the datapath. Pairs
 * whose bounding boxes cannot meet cost one issue cycle and are counted
 * without enumerating their products; only pairs that pass the range test
 * have their products' addresses computed (for the valid count and the bank
 * conflicts).
 */
import type { PeParams } from '../../hw/scnn/pe-params.ts';
import type { PeTopParams } from '../../hw/scnn/pe-top.ts';
import { firstAtOrAfterInSegment as firstAtOrAfter, pointerEntryCount } from './images.ts';
import { meetingBroadcastRange, productAddress } from './product-rules.ts';
import { windowSize, type Anticipation, type WorkUnit } from './work-unit.ts';

export interface PeCounters {
  cycles: number;
  fillCycles: number;
  computeCycles: number;
  drainCycles: number;
  /** Broadcast vectors fetched against a stationary vector (issued or rejected by the range test). */
  candidatePairs: number;
  /** Pairs that reached the multipliers. */
  issuedPairs: number;
  /** Operand pairs multiplied (busy multiplier slots). */
  busySlots: number;
  validProducts: number;
  conflictStalls: number;
  /** Products of the golden Cartesian product (all pairs sharing a segment). */
  goldenProducts: number;
  /** Vector pairs the 'off' schedule issues (stationary vectors x pre-packed broadcast vectors). */
  baselinePairs: number;
}

export const COUNTER_NAMES: readonly (keyof PeCounters)[] = [
  'cycles', 'fillCycles', 'computeCycles', 'drainCycles', 'candidatePairs', 'issuedPairs', 'busySlots', 'validProducts', 'conflictStalls', 'goldenProducts', 'baselinePairs',
];

export interface DerivedCounters {
  readonly rcpsComputed: number;
  readonly rcpsAnticipated: number;
  readonly vectorPairsSkipped: number;
  readonly idleCycles: number;
}

/** Figures derived from the counters (the top outputs the same differences). */
export function derivedCounters(c: PeCounters): DerivedCounters & { pairsRejected: number } {
  return {
    rcpsComputed: c.busySlots - c.validProducts,
    rcpsAnticipated: c.goldenProducts - c.busySlots,
    /** Fetched pairs the range test rejected (vector mode). */
    pairsRejected: c.candidatePairs - c.issuedPairs,
    /** Baseline pairs never issued; negative when element re-packing cuts runs into more vectors than the baseline. */
    vectorPairsSkipped: c.baselinePairs - c.issuedPairs,
    /** Compute cycles in which the multipliers neither took a pair nor held one for a conflict. */
    idleCycles: c.computeCycles - c.issuedPairs - c.conflictStalls,
  };
}

/** Cycle costs of the sequencer steps (docs/pe-array.md). */
export const STEP_CYCLES = {
  segRead: 1,
  segLoad: 1,
  statRead: 1,
  statLoad: 1,
  range: 1,
  ptrLoad: 1,
  colLoad: 1,
  issue: 1,
  flush: 2,
} as const;

interface Box {
  r0: number;
  r1: number;
  c0: number;
  c1: number;
}

export function cycleModel(unit: WorkUnit, params: PeTopParams, mode: Anticipation): PeCounters {
  const p: PeParams = params.pe;
  const g = unit.geometry;
  const b = unit.broadcast;
  const F = p.F;
  const I = p.I;
  const A = p.banks;
  const pe = unit.pes[0]!;
  const win = pe.window;
  const s = pe.stationary;
  const c: PeCounters = {
    cycles: 0, fillCycles: 0, computeCycles: 0, drainCycles: 0, candidatePairs: 0, issuedPairs: 0, busySlots: 0, validProducts: 0, conflictStalls: 0, goldenProducts: 0, baselinePairs: 0,
  };
  const load = new Int32Array(A);
  let compute = 0;

  /** Bounding box of elements [start, start + n) of a list sorted by row. */
  const boxOf = (rows: Int32Array, cols: Int32Array, start: number, n: number): Box => {
    let c0 = Infinity;
    let c1 = -Infinity;
    for (let k = start; k < start + n; k++) {
      c0 = Math.min(c0, cols[k]!);
      c1 = Math.max(c1, cols[k]!);
    }
    return { r0: rows[start]!, r1: rows[start + n - 1]!, c0, c1 };
  };
  const meets = (rows: { lo: number; hi: number }, cols: { lo: number; hi: number }, bx: Box) => !(bx.r1 < rows.lo || bx.r0 > rows.hi || bx.c1 < cols.lo || bx.c0 > cols.hi);

  /** One pair in the multiply stage: its valid products and bank-conflict stalls. */
  const issuePair = (sStart: number, nS: number, bPos: number, nB: number) => {
    c.issuedPairs++;
    c.busySlots += nS * nB;
    load.fill(0);
    let m = 0;
    for (let f = 0; f < nB; f++) {
      const j = bPos + f;
      for (let i = 0; i < nS; i++) {
        const k = sStart + i;
        const a = productAddress(g, win, s.row[k]!, s.col[k]!, s.ch[k]!, b.row[j]!, b.col[j]!, b.ch[j]!);
        if (a < 0) continue;
        c.validProducts++;
        const bank = a & (A - 1);
        m = Math.max(m, ++load[bank]!);
      }
    }
    if (m > 1) c.conflictStalls += m - 1;
  };

  for (const seg of pe.segments) {
    compute += STEP_CYCLES.segRead + STEP_CYCLES.segLoad;
    const bs = unit.broadcastSegments[seg.broadcastSegment]!;
    if (seg.start >= seg.end || bs.start >= bs.end) continue;
    const bLen = bs.end - bs.start;
    const vectors = Math.ceil(bLen / F);
    // Whether the previous stationary vector ended right after an issue (then StatRead precedes StatLoad).
    let afterIssue = false;
    for (let sPos = seg.start; sPos < seg.end; sPos += I) {
      if (afterIssue) compute += STEP_CYCLES.statRead;
      compute += STEP_CYCLES.statLoad;
      const nS = Math.min(I, seg.end - sPos);
      c.goldenProducts += nS * bLen;
      c.baselinePairs += vectors;
      const sBox = boxOf(s.row, s.col, sPos, nS);
      const rows = meetingBroadcastRange(g, win, 'row', sBox.r0, sBox.r1);
      const cols = meetingBroadcastRange(g, win, 'col', sBox.c0, sBox.c1);
      afterIssue = false;
      if (mode === 'off') {
        for (let bPos = bs.start; bPos < bs.end; bPos += F) {
          compute += STEP_CYCLES.issue;
          c.candidatePairs++;
          const nB = Math.min(F, bs.end - bPos);
          // A pair whose boxes cannot meet has no valid product: one cycle, nothing to enumerate.
          if (meets(rows, cols, boxOf(b.row, b.col, bPos, nB))) issuePair(sPos, nS, bPos, nB);
          else {
            c.issuedPairs++;
            c.busySlots += nS * nB;
          }
        }
        afterIssue = true;
        continue;
      }
      compute += STEP_CYCLES.range;
      if (rows.lo > rows.hi || cols.lo > cols.hi) continue;
      if (mode === 'vector') {
        compute += STEP_CYCLES.ptrLoad;
        const runStart = firstAtOrAfter(b, bs.start, bs.end, rows.lo, 0);
        const runEnd = firstAtOrAfter(b, bs.start, bs.end, rows.hi + 1, 0);
        if (runStart >= runEnd) continue;
        for (let bPos = bs.start + Math.floor((runStart - bs.start) / F) * F; bPos < runEnd; bPos += F) {
          compute += STEP_CYCLES.issue;
          c.candidatePairs++;
          const nB = Math.min(F, bs.end - bPos);
          if (meets(rows, cols, boxOf(b.row, b.col, bPos, nB))) issuePair(sPos, nS, bPos, nB);
        }
        afterIssue = true;
        continue;
      }
      // element: one ColLoad per broadcast row of the run, then the re-packed vectors of its column run.
      for (let r = rows.lo; r <= rows.hi; r++) {
        compute += STEP_CYCLES.colLoad;
        const a = firstAtOrAfter(b, bs.start, bs.end, r, cols.lo);
        const e = firstAtOrAfter(b, bs.start, bs.end, r, cols.hi + 1);
        afterIssue = false;
        for (let bPos = a; bPos < e; bPos += F) {
          compute += STEP_CYCLES.issue;
          c.candidatePairs++;
          issuePair(sPos, nS, bPos, Math.min(F, e - bPos));
          afterIssue = true;
        }
      }
    }
  }
  compute += STEP_CYCLES.segRead + STEP_CYCLES.flush;
  c.computeCycles = compute + c.conflictStalls;
  const entries = Math.ceil(windowSize(win) / A);
  const pointerEntries = pointerEntryCount(unit, p.anticipation);
  c.fillCycles = Math.max(1, Math.ceil(b.values.length / params.fillWidth), pointerEntries, entries);
  c.drainCycles = entries + 1;
  c.cycles = c.fillCycles + c.computeCycles + c.drainCycles;
  return c;
}
