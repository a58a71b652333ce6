/**
 * The exact cycle model of the PE and its 1 x 1 top (hw/scnn/pe.ts,
 * hw/scnn/pe-top.ts): the sequencer's two machines (the prefetcher and the
 * issuer, docs/pe-array.md "cycle costs") walked cycle by cycle, without
 * simulating the datapath. Pairs whose bounding boxes cannot meet are counted
 * without enumerating their products; only pairs that pass the range test
 * have their products' addresses computed (for the valid count and the bank
 * conflicts). Conflict stalls and the second of two passing candidates
 * freeze both machines, so they are added to the walked cycles at the end.
 */
import { accumulatorBank } from '../../hw/scnn/accumulator-banks.ts';
import type { PeParams } from '../../hw/scnn/pe-params.ts';
import type { PeTopParams } from '../../hw/scnn/pe-top.ts';
import { firstAtOrAfterInSegment as firstAtOrAfter, pointerFillBeats } from './images.ts';
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

/** Cycles of the flush at the end of a run: the last pair leaves the multiply and write stages. */
export const FLUSH_CYCLES = 2;

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
  /** Cycles the multiply stage spends on the second of two passing candidates (the front end holds). */
  let secondCycles = 0;

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
        const bank = accumulatorBank(a, A, p.bankMapping);
        m = Math.max(m, ++load[bank]!);
      }
    }
    if (m > 1) c.conflictStalls += m - 1;
  };

  // The sequencer, cycle by cycle (conflict stalls freeze both machines and are added at the end).
  // Prefetcher: walks segments and stationary vectors and prepares the next one to issue.
  type Prefetch = 'segLoad' | 'stat' | 'pointers' | 'done';
  let pState = (pe.segments.length === 0 ? 'done' : 'segLoad') as Prefetch;
  let segIndex = 0;
  let sPos = 0;
  let sEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let pRows = { lo: 0, hi: -1 };
  let pCols = { lo: 0, hi: -1 };
  let pRow = 0;
  // The prefetcher's pointer read port (valid the cycle after the read, held until the next).
  let ptrA = 0;
  let ptrB = 0;
  const colRun = (row: number, cols: { lo: number; hi: number }): [number, number] => [
    firstAtOrAfter(b, bStart, bEnd, row, cols.lo),
    firstAtOrAfter(b, bStart, bEnd, row, cols.hi + 1),
  ];
  // Issuer: the stationary vector being issued, its current run and (element) the next row's run.
  let cur = { sPos: 0, nS: 0, rows: { lo: 0, hi: -1 }, cols: { lo: 0, hi: -1 }, bStart: 0, bEnd: 0 };
  let running = false;
  let bPos = 0;
  let laneLimit = 0;
  let runEnd = 0;
  let curRow = 0;
  let rowPending = false;
  let rowA = 0;
  let rowB = 0;
  let flushing = false;
  let flushEnd = 0;

  /** One candidate in the multiply stage; whether it passed the range test. */
  const candidate = (pos: number, limit: number): boolean => {
    c.candidatePairs++;
    const nB = Math.min(F, limit - pos);
    // A pair whose boxes cannot meet has no valid product: nothing to enumerate ('vector' rejects it).
    if (meets(cur.rows, cur.cols, boxOf(b.row, b.col, pos, nB))) issuePair(cur.sPos, cur.nS, pos, nB);
    else if (mode === 'vector') return false;
    else {
      c.issuedPairs++;
      c.busySlots += cur.nS * nB;
    }
    return true;
  };
  const issueAt = (pos: number, limit: number, end: number) => {
    const first = candidate(pos, limit);
    // 'vector' fetches the run's next pre-packed vector too; when both pass, the second takes a cycle more.
    const pair = mode === 'vector' && pos + F < end;
    if (pair && candidate(pos + F, limit) && first) secondCycles++;
    bPos = pos + (pair ? 2 * F : F);
    laneLimit = limit;
    runEnd = end;
    running = bPos < end;
  };
  const readNextRow = (row: number) => {
    rowPending = row < cur.rows.hi;
    if (!rowPending) return;
    curRow = row + 1;
    [rowA, rowB] = [
      firstAtOrAfter(b, cur.bStart, cur.bEnd, curRow, cur.cols.lo),
      firstAtOrAfter(b, cur.bStart, cur.bEnd, curRow, cur.cols.hi + 1),
    ];
  };
  const nS = () => Math.min(I, sEnd - sPos);
  const meetsEveryCol = () => pCols.lo === 0 && pCols.hi === g.broadcastCols - 1;
  /** The ranges of sBoxRanges() cover the whole broadcast plane. */
  const meetsAll = () => pRows.lo === 0 && pRows.hi === g.broadcastRows - 1 && meetsEveryCol();
  const sBoxRanges = () => {
    const box = boxOf(s.row, s.col, sPos, nS());
    pRows = meetingBroadcastRange(g, win, 'row', box.r0, box.r1);
    pCols = meetingBroadcastRange(g, win, 'col', box.c0, box.c1);
  };
  /** The segment table's output holds entry segIndex (read ahead). */
  const loadSegment = () => {
    if (segIndex >= pe.segments.length) {
      pState = 'done';
      return;
    }
    const seg = pe.segments[segIndex++]!;
    const bs = unit.broadcastSegments[seg.broadcastSegment]!;
    sPos = seg.start;
    sEnd = seg.end;
    bStart = bs.start;
    bEnd = bs.end;
    pState = seg.start >= seg.end || bs.start >= bs.end ? 'segLoad' : 'stat';
  };
  const leave = () => {
    c.goldenProducts += nS() * (bEnd - bStart);
    c.baselinePairs += Math.ceil((bEnd - bStart) / F);
    if (sPos + I < sEnd) {
      sPos += I;
      pState = 'stat';
    } else loadSegment();
  };

  for (;;) {
    compute++;
    // Issuer (reads the prefetcher's state as it was at the start of the cycle).
    // The range units (vector, element) see the S on the stationary read port in 'stat': its
    // ranges, computed once here, serve the issuer and the prefetcher this cycle. An S that meets
    // every broadcast row and column is ready in 'stat', like 'off' (no pointer read).
    const rangeUnits = pState === 'stat' && mode !== 'off';
    if (rangeUnits) sBoxRanges();
    const readyAtStat = pState === 'stat' && (mode === 'off' || meetsAll());
    const ready = readyAtStat || (pState === 'pointers' && ptrA < ptrB);
    let taken = false;
    if (flushing) {
      if (compute >= flushEnd) break;
    } else if (running) {
      issueAt(bPos, laneLimit, runEnd);
      // An empty pending row is skipped while the run issues.
      if (rowPending && rowA >= rowB) readNextRow(curRow);
    } else if (rowPending && !(rowA >= rowB && curRow >= cur.rows.hi)) {
      if (rowA < rowB) issueAt(rowA, rowB, rowB);
      readNextRow(curRow);
    } else if (ready) {
      taken = true;
      // 'off' has no range units; the model uses the ranges only to skip enumerating pairs that cannot meet.
      if (readyAtStat && !rangeUnits) sBoxRanges();
      cur = { sPos, nS: nS(), rows: pRows, cols: pCols, bStart, bEnd };
      if (readyAtStat) issueAt(bStart, bEnd, bEnd);
      else if (mode === 'vector') issueAt(bStart + Math.floor((ptrA - bStart) / F) * F, bEnd, ptrB);
      else issueAt(ptrA, ptrB, ptrB);
      if (mode === 'element' && !readyAtStat) readNextRow(pRow);
      else rowPending = false;
    } else if (pState === 'done') {
      flushing = true;
      flushEnd = compute + FLUSH_CYCLES;
    }
    // Prefetcher.
    switch (pState) {
      case 'segLoad':
        loadSegment();
        break;
      case 'stat':
        if (mode === 'off') {
          if (taken) leave();
          break;
        }
        // pRows and pCols: this S's ranges, from the top of the cycle.
        if (pRows.lo > pRows.hi || pCols.lo > pCols.hi) leave();
        else if (meetsAll()) {
          if (taken) leave();
        } else if (mode === 'element' && meetsEveryCol()) {
          // Every column meets: the rows' elements form one run, read from the row pointers.
          pRow = pRows.hi;
          ptrA = firstAtOrAfter(b, bStart, bEnd, pRows.lo, 0);
          ptrB = firstAtOrAfter(b, bStart, bEnd, pRows.hi + 1, 0);
          pState = 'pointers';
        } else if (mode === 'element') {
          pRow = pRows.lo;
          [ptrA, ptrB] = colRun(pRow, pCols);
          pState = 'pointers';
        } else {
          ptrA = firstAtOrAfter(b, bStart, bEnd, pRows.lo, 0);
          ptrB = firstAtOrAfter(b, bStart, bEnd, pRows.hi + 1, 0);
          pState = 'pointers';
        }
        break;
      case 'pointers':
        if (ptrA < ptrB) {
          if (taken) leave();
        } else if (mode === 'element' && pRow < pRows.hi) {
          pRow++;
          [ptrA, ptrB] = colRun(pRow, pCols);
        } else leave();
        break;
      case 'done':
        break;
    }
  }
  c.computeCycles = compute + secondCycles + c.conflictStalls;
  const entries = Math.ceil(windowSize(win) / A);
  c.fillCycles = Math.max(1, Math.ceil(b.values.length / params.fillWidth), pointerFillBeats(unit, p), entries);
  c.drainCycles = entries + 1;
  c.cycles = c.fillCycles + c.computeCycles + c.drainCycles;
  return c;
}
