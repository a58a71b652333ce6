import { Bool, cat, defineEnum, defineModule, Input, lit, mem, mux, Output, reduceTree, reg, select, SInt, stateMachine, UInt, Vec, when, wire, type Signal } from '../index.ts';
import { popcount, resizeUnsigned } from '../lib/arith.ts';
import { accumulatorBankSignal } from './accumulator-banks.ts';
import { meetingRangeUnit, peConfigPorts, productAddressUnit, signedCoord, type Coordinates, type PeConfig } from './coordinates.ts';
import { readConsecutive, readInterleaved } from './interleaved-read.ts';
import { ANTICIPATION_CODES, peModuleSuffix, peWidths, validatePeParams, type PeParams } from './pe-params.ts';

/**
 * The sequencer's two state machines (docs/pe-array.md, "cycle costs"): the
 * prefetcher prepares the next stationary vector while the issuer issues the
 * current one. Every state lasts one cycle unless the multiply stage holds
 * the front end for a bank conflict.
 */
export const PrefetchState = defineEnum('PrefetchState', ['Idle', 'SegLoad', 'Stat', 'Pointers', 'Done']);
export const IssueState = defineEnum('IssueState', ['Idle', 'Work', 'Flush']);

/** Counters a PE exposes (32-bit, wrapping). */
export const PE_COUNTERS = ['candidatePairs', 'issuedPairs', 'busySlots', 'validProducts', 'conflictStalls', 'goldenProducts', 'baselinePairs'] as const;
export type PeCounter = (typeof PE_COUNTERS)[number];

function peIO(p: PeParams) {
  validatePeParams(p);
  const w = peWidths(p);
  return {
    cfg: peConfigPorts(p),
    /** Starts sequencing the segment table (a one-cycle pulse). */
    start: Input(Bool()),
    /** First segment-table entry of the run; it ends before entry cfg.segments (an array keeps many units' segments in one table). */
    segBase: Input(UInt(w.segmentIndex)),
    /** High in the last cycle of the run (after the pipeline has emptied). */
    finished: Output(Bool()),
    /**
     * The broadcast buffer and pointer memory are double-buffered: the sequencer reads half
     * `readHalf` while the fill ports write half `fillHalf` (the next unit's operand).
     */
    readHalf: Input(Bool()),
    fillHalf: Input(Bool()),
    /** Fill port of the broadcast buffer: one element per interleaved memory per cycle. */
    bcastWriteEnable: Input(Vec(p.F, Bool())),
    bcastWriteAddr: Input(Vec(p.F, UInt(Math.log2(p.broadcastDepth / p.F)))),
    bcastWriteData: Input(Vec(p.F, UInt(w.element))),
    /** Fill port of the row/column pointer memory: entries addr·pointerLanes + j, one per lane j (enabled by its bit). */
    ptrWriteEnable: Input(Vec(p.pointerLanes, Bool())),
    ptrWriteAddr: Input(UInt(w.pointerLaneAddress)),
    ptrWriteData: Input(Vec(p.pointerLanes, UInt(w.broadcastIndex))),
    /**
     * With two accumulator sets (p.accumulatorSets): the multipliers add into set `accSet` while the
     * drain reads, and the clear writes, set `drainSet` (the array never points both at one set while
     * both work). With one set both are ignored.
     */
    accSet: Input(Bool()),
    drainSet: Input(Bool()),
    /** Writes zero at this entry of every accumulator bank (of set drainSet, or of every set with accClearAll). */
    accClear: Input(Bool()),
    accClearAll: Input(Bool()),
    accClearEntry: Input(UInt(w.entryBits)),
    /** Reads this entry of every bank (of set drainSet); the values appear on drainData a cycle later. */
    drainRead: Input(Bool()),
    drainEntry: Input(UInt(w.entryBits)),
    drainData: Output(Vec(p.banks, SInt(p.accWidth))),
    counters: {
      candidatePairs: Output(UInt(32)),
      issuedPairs: Output(UInt(32)),
      busySlots: Output(UInt(32)),
      validProducts: Output(UInt(32)),
      conflictStalls: Output(UInt(32)),
      goldenProducts: Output(UInt(32)),
      baselinePairs: Output(UInt(32)),
    },
  };
}

function decodeElement(p: PeParams, word: Signal): Coordinates & { value: Signal } {
  const c = p.coordBits;
  return {
    value: word.bits(p.valueWidth + 3 * c - 1, 3 * c).asSInt(),
    row: word.bits(3 * c - 1, 2 * c),
    col: word.bits(2 * c - 1, c),
    ch: word.bits(c - 1, 0),
  };
}

/** Minimum and maximum of the first `count` values (unsigned). */
function laneMinMax(values: readonly Signal[], count: Signal): { min: Signal; max: Signal } {
  const ones = (2 ** values[0]!.width) - 1;
  const min = reduceTree(values.map((v, j) => mux(count.gt(j), v, ones)), (a, b) => mux(a.lt(b), a, b));
  const max = reduceTree(values.map((v, j) => mux(count.gt(j), v, 0)), (a, b) => mux(a.gt(b), a, b));
  return { min, max };
}

/** The PE's Verilog module name: the synthesis flows keep it as a black box by this name. */
export function scnnPeModuleName(p: PeParams): string {
  return `ScnnPe_${peModuleSuffix(p)}`;
}

/**
 * One outer-product processing element (docs/pe-array.md section 2): the
 * sequencer over segments, stationary vectors and broadcast vectors with the
 * anticipation modes, the F x I multipliers and coordinate units, the scatter
 * crossbar with its stall rule and the A accumulator banks.
 *
 * Pipeline: Issue (broadcast read) -> M (multiply, coordinates, range test,
 * bank arbitration, bank read) -> W (add with forwarding, bank write).
 */
export const ScnnPe = defineModule({
  name: scnnPeModuleName,
  io: peIO,
  body: (io, p) => {
    const w = peWidths(p);
    const cfg = io.cfg as unknown as PeConfig;
    const F = p.F;
    const I = p.I;
    const A = p.banks;
    const P = F * I;
    const logF = Math.log2(F);
    const cap = ANTICIPATION_CODES[p.anticipation];
    const canVector = cap >= 1;
    const canElement = cap >= 2;
    const sw = w.signedCoord;

    // ---- memories
    const stationary = Array.from({ length: I }, (_, j) => mem(UInt(w.element), p.stationaryDepth / I, { name: `stationary_${j}`, testbenchAccess: true }));
    const segmentWord = 2 * w.stationaryIndex + 2 * w.broadcastIndex + 2 * w.pointerAddress;
    const segmentTable = mem(UInt(segmentWord), p.segmentDepth, { name: 'segments', testbenchAccess: true });
    // With `vector`, the issuer fetches two consecutive broadcast vectors per cycle (the range
    // test looks one candidate ahead), so the buffer interleaves 2F memories of half the depth.
    // The fill port keeps its F-interleaved addresses: element a·F + j is element
    // (a div 2)·2F + (a mod 2)·F + j. Every memory holds both halves of the double buffer
    // (the half is the top address bit), so each half holds broadcastDepth elements.
    const L = canVector ? 2 : 1;
    const broadcast = Array.from({ length: L * F }, (_, j) => mem(UInt(w.element), (2 * p.broadcastDepth) / (L * F), { name: `broadcast_${j}`, testbenchAccess: true }));
    broadcast.forEach((m, j) => {
      const lane = j % F;
      const addr = io.bcastWriteAddr[lane]!;
      const pick = L === 1 ? lit(1, Bool()) : addr.bit(0).eq(Math.floor(j / F));
      when(io.bcastWriteEnable[lane]!.and(pick), () => m.write(cat(io.fillHalf, L === 1 ? addr : addr.shr(1).trunc(addr.width - 1)), io.bcastWriteData[lane]!));
    });
    // The pointer memory interleaves pointerLanes memories (entry e in lane e mod pointerLanes), each
    // holding both halves of the double buffer, so a fill beat writes consecutive entries in every lane.
    const pointerMems = Array.from({ length: p.pointerLanes }, (_, j) => mem(UInt(w.broadcastIndex), (2 * p.pointerDepth) / p.pointerLanes, { name: `pointers_${j}`, testbenchAccess: true }));
    pointerMems.forEach((m, j) => when(io.ptrWriteEnable[j]!, () => m.write(cat(io.fillHalf, io.ptrWriteAddr), io.ptrWriteData[j]!)));
    const readPointer = (addr: Signal, enable: Signal, name: string) => readInterleaved(pointerMems, addr, enable, name, io.readHalf);

    // ---- front-end read requests (the prefetcher reads segments, stationary vectors and
    // their first pointers; the issuer reads broadcast vectors and, in element mode, the
    // next row's column pointers on ports of its own)
    const segRead = wire(Bool(), { name: 'seg_read', default: 0 });
    const segReadAt = wire(UInt(w.segmentIndex), { name: 'seg_read_at', default: 0 });
    const statRead = wire(Bool(), { name: 'stat_read', default: 0 });
    const statReadAt = wire(UInt(w.stationaryIndex), { name: 'stat_read_at', default: 0 });
    const bcastRead = wire(Bool(), { name: 'bcast_read', default: 0 });
    const bcastReadAt = wire(UInt(w.broadcastIndex), { name: 'bcast_read_at', default: 0 });
    const ptrRead = wire(Bool(), { name: 'ptr_read', default: 0 });
    const ptrReadA = wire(UInt(w.pointerAddress), { name: 'ptr_read_a', default: 0 });
    const ptrReadB = wire(UInt(w.pointerAddress), { name: 'ptr_read_b', default: 0 });
    const rowRead = wire(Bool(), { name: 'row_read', default: 0 });
    const rowReadA = wire(UInt(w.pointerAddress), { name: 'row_read_a', default: 0 });
    const rowReadB = wire(UInt(w.pointerAddress), { name: 'row_read_b', default: 0 });

    const segIndex = reg(UInt(w.segmentIndex), { name: 'seg_index', init: 0 });
    const segData = segmentTable.read(segReadAt.trunc(Math.log2(p.segmentDepth)), segRead);
    let at = segmentWord;
    const field = (bits: number) => {
      const f = segData.bits(at - 1, at - bits);
      at -= bits;
      return f;
    };
    const segStatStart = field(w.stationaryIndex).named('seg_stat_start');
    const segStatEnd = field(w.stationaryIndex).named('seg_stat_end');
    const segBcastStart = field(w.broadcastIndex).named('seg_bcast_start');
    const segBcastEnd = field(w.broadcastIndex).named('seg_bcast_end');
    const segRowPtrBase = field(w.pointerAddress).named('seg_row_ptr_base');
    const segColPtrBase = field(w.pointerAddress).named('seg_col_ptr_base');

    const statWords = readConsecutive(stationary, statReadAt, statRead, 'stat');
    const bcastWords = readConsecutive(broadcast, bcastReadAt, bcastRead, 'bcast', io.readHalf);
    const ptrA = readPointer(ptrReadA, ptrRead, 'ptr_a');
    const ptrB = readPointer(ptrReadB, ptrRead, 'ptr_b');
    // Element mode only: the issuer's look-ahead of the next row's column run.
    const rowPtrA = canElement ? readPointer(rowReadA, rowRead, 'row_ptr_a') : lit(0, UInt(w.broadcastIndex));
    const rowPtrB = canElement ? readPointer(rowReadB, rowRead, 'row_ptr_b') : lit(0, UInt(w.broadcastIndex));

    // ---- prefetcher registers: the segment and the stationary vector being prepared
    const sPos = reg(UInt(w.stationaryIndex), { name: 's_pos', init: 0 });
    const sEnd = reg(UInt(w.stationaryIndex), { name: 's_end', init: 0 });
    const bStart = reg(UInt(w.broadcastIndex), { name: 'b_start', init: 0 });
    const bEnd = reg(UInt(w.broadcastIndex), { name: 'b_end', init: 0 });
    const rowPtrBase = reg(UInt(w.pointerAddress), { name: 'row_ptr_base', init: 0 });
    const colPtrBase = reg(UInt(w.pointerAddress), { name: 'col_ptr_base', init: 0 });
    const segVectors = reg(UInt(w.broadcastIndex), { name: 'seg_vectors', init: 0 });
    /** Meeting ranges of a stationary vector: rows and columns of the broadcast elements it can meet. */
    const rangeRegs = (prefix: string) => {
      const r = (name: string) => reg(SInt(sw), { name: `${prefix}${name}`, init: 0 });
      return { rowLo: r('row_lo'), rowHi: r('row_hi'), colLo: r('col_lo'), colHi: r('col_hi') };
    };
    const prepared = rangeRegs('p_');
    const { rowLo: pRowLo, rowHi: pRowHi, colLo: pColLo, colHi: pColHi } = prepared;
    const pRow = reg(UInt(p.coordBits), { name: 'p_row', init: 0 });
    const pCursor = reg(UInt(w.pointerAddress), { name: 'p_cursor', init: 0 });

    // ---- issuer registers: the stationary vector being issued (read by the multiply stage too)
    const statValue = reg(Vec(I, SInt(p.valueWidth)), { name: 'stat_value' });
    const statRow = reg(Vec(I, UInt(p.coordBits)), { name: 'stat_row' });
    const statCol = reg(Vec(I, UInt(p.coordBits)), { name: 'stat_col' });
    const statCh = reg(Vec(I, UInt(p.coordBits)), { name: 'stat_ch' });
    const statCount = reg(UInt(w.stationaryIndex), { name: 'stat_count', init: 0 });
    const current = rangeRegs('');
    const { rowLo, rowHi, colLo, colHi } = current;
    const curRow = reg(UInt(p.coordBits), { name: 'cur_row', init: 0 });
    const rowCursor = reg(UInt(w.pointerAddress), { name: 'row_cursor', init: 0 });
    const bPos = reg(UInt(w.broadcastIndex), { name: 'b_pos', init: 0 });
    const laneLimit = reg(UInt(w.broadcastIndex), { name: 'lane_limit', init: 0 });
    const runEnd = reg(UInt(w.broadcastIndex), { name: 'run_end', init: 0 });
    /** A run of broadcast vectors remains to issue. */
    const running = reg(Bool(), { name: 'running', init: 0 });
    /** Element mode: the next row's column pointers are on rowPtrA/B (curRow is that row). */
    const rowPending = reg(Bool(), { name: 'row_pending', init: 0 });
    const flushCount = reg(Bool(), { name: 'flush_count', init: 0 });

    const mode = mux(cfg.mode.gt(cap), cap, cfg.mode).named('mode');
    const modeOff = mode.eq(0).named('mode_off');
    const modeVector = (canVector ? mode.eq(1) : lit(0, Bool())).named('mode_vector');
    const modeElement = (canElement ? mode.eq(2) : lit(0, Bool())).named('mode_element');
    const toPtr = (x: Signal) => x.asUInt().trunc(Math.min(sw, w.pointerAddress)).extend(w.pointerAddress);
    const colStride = cfg.broadcastCols.extend(w.pointerAddress).add(1).named('col_stride');

    // ---- multiply stage registers (written at Issue)
    const mValid = reg(Bool(), { name: 'm_valid', init: 0 });
    const mFirst = reg(Bool(), { name: 'm_first', init: 0 });
    const mCount = reg(UInt(w.broadcastIndex), { name: 'm_count', init: 0 });
    /** Lanes of the second candidate fetched with the first (vector mode), 0 when there is none. */
    const mCount2 = reg(UInt(w.broadcastIndex), { name: 'm_count2', init: 0 });
    /** The multiply stage works on the second candidate. */
    const mSecond = reg(Bool(), { name: 'm_second', init: 0 });
    /** First cycle of a candidate's products in the multiply stage. */
    const candFirst = reg(Bool(), { name: 'cand_first', init: 0 });
    const mTest = reg(Bool(), { name: 'm_test', init: 0 });
    const served = reg(Vec(P, Bool()), { name: 'served' });

    // ---- multiply stage: operands, range test (on both fetched candidates), products, coordinates
    const candidateTest = (words: readonly Signal[], count: Signal): Signal => {
      if (!canVector) return mTest.not();
      const lanes = words.map((word) => decodeElement(p, word));
      const S = (x: Signal) => signedCoord(p, x);
      const firstRow = lanes[0]!.row;
      const lastRow = select(lanes.map((l) => l.row), count.sub(1).trunc(logF));
      const cols = laneMinMax(lanes.map((l) => l.col), count);
      const meets = S(lastRow).lt(rowLo).or(S(firstRow).gt(rowHi)).or(S(cols.max).lt(colLo)).or(S(cols.min).gt(colHi)).not();
      return mTest.not().or(meets);
    };
    const firstWords = bcastWords.slice(0, F);
    const firstOk = candidateTest(firstWords, mCount).named('range_test_ok');
    let activeWords = firstWords;
    let useSecond: Signal = lit(0, Bool());
    let secondOk: Signal = lit(0, Bool());
    if (L === 2) {
      const secondWords = bcastWords.slice(F);
      secondOk = mCount2.ne(0).and(candidateTest(secondWords, mCount2)).named('range_test_ok2');
      useSecond = mSecond.or(firstOk.not()).named('use_second');
      activeWords = firstWords.map((word, f) => mux(useSecond, secondWords[f]!, word));
    }
    const bLanes = activeWords.map((word) => decodeElement(p, word));
    const activeCount = mux(useSecond, mCount2, mCount).named('active_count');
    const bLaneValid = bLanes.map((_, f) => activeCount.gt(f));
    const sLaneValid = Array.from({ length: I }, (_, i) => statCount.gt(i));
    const accepted = mValid.and(mux(useSecond, secondOk, firstOk)).named('accepted');
    /** The first candidate is being multiplied and the second passed too: it follows. */
    const secondNext = mValid.and(useSecond.not()).and(secondOk).named('second_next');
    const sChBase = Array.from({ length: I }, (_, i) => resizeUnsigned(statCh[i]!.mul(cfg.schStride), w.address));
    const bChBase = bLanes.map((l) => resizeUnsigned(l.ch.mul(cfg.chStride), w.address));
    const pValid: Signal[] = [];
    const pBank: Signal[] = [];
    const pEntry: Signal[] = [];
    const pValue: Signal[] = [];
    for (let f = 0; f < F; f++) {
      for (let i = 0; i < I; i++) {
        const unit = productAddressUnit(p, cfg, { row: statRow[i]!, col: statCol[i]!, ch: statCh[i]! }, bLanes[f]!, bChBase[f]!, sChBase[i]!);
        pValid.push(accepted.and(bLaneValid[f]!).and(sLaneValid[i]!).and(unit.valid).named(`p_valid_${f}_${i}`));
        pBank.push(accumulatorBankSignal(unit.address, w.bankBits, w.entryBits, p.bankMapping));
        pEntry.push(unit.address.bits(w.address - 1, w.bankBits));
        pValue.push(statValue[i]!.mul(bLanes[f]!.value).extend(p.accWidth));
      }
    }

    // ---- scatter crossbar: one product per bank per cycle, lowest product index first
    const pending = pValid.map((v, k) => v.and(served[k]!.not()).named(`pending_${k}`));
    const granted = pending.map((v, k) => {
      let g = v;
      for (let q = 0; q < k; q++) g = g.and(pending[q]!.and(pBank[q]!.eq(pBank[k]!)).not());
      return g.named(`granted_${k}`);
    });
    const conflictHold = reduceTree(pending.map((v, k) => v.and(granted[k]!.not())), (a, b) => a.or(b)).named('conflict_hold');
    const toSecond = conflictHold.not().and(secondNext).named('to_second');
    const hold = conflictHold.or(secondNext).named('hold');
    served.forEach((s, k) => s.set(mux(conflictHold, s.or(granted[k]!), 0)));
    mSecond.set(mux(hold, mSecond.or(toSecond), 0));
    const advance = hold.not().named('advance');

    // ---- accumulator banks: read in M, add and write in W (forwarding the write of the cycle before)
    for (let b = 0; b < A; b++) {
      const sel = granted.map((g, k) => g.and(pBank[k]!.eq(b)));
      const selBits = cat(...[...sel].reverse());
      const any = selBits.orR().named(`bank${b}_grant`);
      const entry = oneHot(selBits, pEntry);
      const value = oneHot(selBits, pValue);
      const wValid = reg(Bool(), { name: `w${b}_valid`, init: 0 });
      const wEntry = reg(UInt(w.entryBits), { name: `w${b}_entry` });
      const wValue = reg(SInt(p.accWidth), { name: `w${b}_value` });
      // One set: the drain and the multipliers take turns on its port (a drain never meets a grant).
      wValid.set(p.accumulatorSets === 1 ? any.and(io.drainRead.not()) : any);
      wEntry.set(entry);
      wValue.set(value);
      const lastValid = reg(Bool(), { name: `w${b}_last_valid`, init: 0 });
      const lastEntry = reg(UInt(w.entryBits), { name: `w${b}_last_entry` });
      const lastSum = reg(SInt(p.accWidth), { name: `w${b}_last_sum` });
      const forward = lastValid.and(lastEntry.eq(wEntry));
      // Each set is its own memory (one read, one write port): the multipliers read and write set
      // accSet, the drain reads and the clear writes set drainSet, in the same cycle when they differ.
      const sets = Array.from({ length: p.accumulatorSets }, (_, k) => {
        const isAcc = p.accumulatorSets === 1 ? lit(1, Bool()) : io.accSet.eq(k);
        const isDrain = p.accumulatorSets === 1 ? lit(1, Bool()) : io.drainSet.eq(k);
        const bank = mem(SInt(p.accWidth), p.bankDepth, { name: p.accumulatorSets === 1 ? `acc_${b}` : `acc_${b}_set${k}` });
        const drainHere = io.drainRead.and(isDrain);
        const data = bank.read(mux(drainHere, io.drainEntry, entry), drainHere.or(any.and(isAcc)));
        return { bank, data, isAcc, clearHere: io.accClear.and(io.accClearAll.or(isDrain)) };
      });
      const pick = (set: Signal) => (p.accumulatorSets === 1 ? sets[0]!.data : mux(set, sets[1]!.data, sets[0]!.data));
      const sum = mux(forward, lastSum, pick(io.accSet)).add(wValue).named(`w${b}_sum`);
      for (const set of sets) when(wValid.and(set.isAcc), () => set.bank.write(wEntry, sum)).elseWhen(set.clearHere, () => set.bank.write(io.accClearEntry, 0));
      lastValid.set(wValid);
      lastEntry.set(wEntry);
      lastSum.set(sum);
      io.drainData[b]!.set(pick(io.drainSet));
    }

    // ---- counters (counted in a pair's first cycle in M)
    const counter = (name: string) => reg(UInt(32), { name, init: 0 });
    const candidates = counter('candidate_pairs');
    const issued = counter('issued_pairs');
    const busy = counter('busy_slots');
    const validCount = counter('valid_products');
    const stalls = counter('conflict_stalls');
    const golden = counter('golden_products');
    const baseline = counter('baseline_pairs');
    when(mValid.and(mFirst), () => candidates.set(candidates.add(mux(mCount2.ne(0), lit(2, UInt(32)), 1))));
    when(mValid.and(candFirst).and(accepted), () => {
      issued.set(issued.add(1));
      busy.set(busy.add(resizeUnsigned(statCount.trunc(Math.log2(I) + 1).mul(activeCount.trunc(logF + 1)), 32)));
      validCount.set(validCount.add(resizeUnsigned(popcount(cat(...pValid)), 32)));
    });
    when(conflictHold, () => stalls.set(stalls.add(1)));
    Object.entries({ candidatePairs: candidates, issuedPairs: issued, busySlots: busy, validProducts: validCount, conflictStalls: stalls, goldenProducts: golden, baselinePairs: baseline }).forEach(([k, r]) =>
      (io.counters as Record<string, Signal>)[k]!.set(r),
    );

    // ---- the sequencer: a prefetcher that prepares the next stationary vector (segment
    // table, stationary read, range units, first pointers) while the issuer issues the
    // current one's broadcast vectors; the issuer takes a prepared vector in the cycle it
    // issues that vector's first pair.
    const pre = stateMachine(PrefetchState, { init: 'Idle', name: 'prefetch_state' });
    const iss = stateMachine(IssueState, { init: 'Idle', name: 'issue_state' });
    const issuing = wire(Bool(), { name: 'issuing', default: 0 });
    when(advance, () => mValid.set(issuing));
    mFirst.set(issuing);
    candFirst.set(issuing.or(toSecond));
    io.finished.set(iss.is('Flush').and(flushCount));

    // The prepared vector: its lane count, range units on the stationary read port (rows
    // are sorted, columns are not), and the first run it issues.
    const remaining = sEnd.sub(sPos);
    const pCount = mux(remaining.ge(I), I, remaining).named('p_count');
    const pLanes = statWords.map((word) => decodeElement(p, word));
    const pCols = laneMinMax(pLanes.map((l) => l.col), pCount);
    const pRowFirst = pLanes[0]!.row;
    const pRowLast = select(pLanes.map((l) => l.row), pCount.sub(1).trunc(Math.log2(I)));
    // Range units (vector, element) on the stationary read port.
    const statRanges = canVector
      ? { rows: meetingRangeUnit(p, cfg, 'row', pRowFirst, pRowLast), cols: meetingRangeUnit(p, cfg, 'col', pCols.min, pCols.max) }
      : undefined;
    // An S that meets every broadcast row and column meets the whole segment: like 'off', it is
    // prepared in Stat, without a pointer read (a stationary vector then costs one cycle, not two).
    const meetsAll = (statRanges ? statRanges.rows.full.and(statRanges.cols.full) : lit(0, Bool())).named('meets_all');
    const readyAtStat = pre.is('Stat').and(modeOff.or(meetsAll)).named('ready_at_stat');
    const ready = readyAtStat.or(pre.is('Pointers').and(ptrA.lt(ptrB))).named('prefetch_ready');
    const readyStart = mux(readyAtStat, bStart, mux(modeVector, bStart.add(ptrA.sub(bStart).shr(logF).shl(logF)), ptrA)).named('ready_start');
    const readyLimit = mux(modeElement.and(readyAtStat.not()), ptrB, bEnd).named('ready_limit');
    const readyEnd = mux(readyAtStat, bEnd, ptrB).named('ready_end');
    /** The ranges the issuer takes with S: the range units' when S is ready in Stat, else the latched ones. */
    const takenRanges: typeof prepared = statRanges
      ? {
          rowLo: mux(readyAtStat, statRanges.rows.lo, pRowLo),
          rowHi: mux(readyAtStat, statRanges.rows.hi, pRowHi),
          colLo: mux(readyAtStat, statRanges.cols.lo, pColLo),
          colHi: mux(readyAtStat, statRanges.cols.hi, pColHi),
        }
      : prepared;
    // Element mode: an empty pending row is skipped while a run issues; an empty last row ends the vector.
    const rowEmpty = rowPtrA.ge(rowPtrB).named('row_empty');
    const rowLive = rowPending.and(rowEmpty.and(signedCoord(p, curRow).ge(rowHi)).not()).named('row_live');
    const taken = iss.is('Work').and(running.not()).and(rowLive.not()).and(ready).named('taken');

    /** Issues the broadcast vector at `pos` (lanes up to `limit`) of the run ending at `end`. */
    const issueAt = (pos: Signal, limit: Signal, end: Signal) => {
      const left = limit.sub(pos);
      const one = pos.add(F);
      // vector: the next pre-packed vector of the run is fetched with this one.
      const pair = modeVector.and(one.lt(end));
      const after = mux(pair, pos.add(2 * F), one);
      issuing.set(1);
      bcastRead.set(1);
      bcastReadAt.set(pos);
      mCount.set(mux(left.ge(F), F, left));
      const left2 = left.sub(F);
      mCount2.set(mux(pair, mux(left2.ge(F), F, left2), 0));
      mTest.set(modeVector);
      bPos.set(after);
      laneLimit.set(limit);
      runEnd.set(end);
      running.set(after.lt(end));
    };
    /** Element mode: reads the column run of the row after `row` (cursor `cursor`) if the vector meets one. */
    const readNextRow = (row: Signal, last: Signal, cursor: Signal, clo: Signal, chi: Signal) => {
      const more = signedCoord(p, row).lt(last);
      const next = cursor.add(colStride);
      rowPending.set(more);
      when(more, () => {
        rowRead.set(1);
        rowReadA.set(next.add(toPtr(clo)));
        rowReadB.set(next.add(toPtr(chi)).add(1));
        curRow.set(row.add(1));
        rowCursor.set(next);
      });
    };

    when(advance, () => {
      iss.switch({
        Idle: () => when(io.start, () => iss.goto('Work')),
        Work: () =>
          when(running, () => {
            issueAt(bPos, laneLimit, runEnd);
            if (canElement) when(rowPending.and(rowEmpty), () => readNextRow(curRow, rowHi, rowCursor, colLo, colHi));
          })
            .elseWhen(rowLive, () => {
              when(rowEmpty.not(), () => issueAt(rowPtrA, rowPtrB, rowPtrB));
              if (canElement) readNextRow(curRow, rowHi, rowCursor, colLo, colHi);
            })
            .elseWhen(ready, () => {
              statCount.set(pCount);
              pLanes.forEach((e, i) => {
                statValue[i]!.set(e.value);
                statRow[i]!.set(e.row);
                statCol[i]!.set(e.col);
                statCh[i]!.set(e.ch);
              });
              (Object.keys(current) as (keyof typeof current)[]).forEach((k) => current[k].set(takenRanges[k]));
              issueAt(readyStart, readyLimit, readyEnd);
              if (canElement) when(modeElement.and(readyAtStat.not()), () => readNextRow(pRow, pRowHi, pCursor, pColLo, pColHi)).otherwise(() => rowPending.set(0));
            })
            .elseWhen(pre.is('Done'), () => {
              flushCount.set(0);
              rowPending.set(0);
              iss.goto('Flush');
            }),
        Flush: () => {
          flushCount.set(1);
          when(flushCount, () => iss.goto('Idle'));
        },
      });

      const sNext = sPos.add(I).named('s_next');
      const readSegment = (index: Signal) => {
        segRead.set(1);
        segReadAt.set(index);
      };
      /**
       * The segment table's output holds entry segIndex (read ahead): latch it and read the
       * one after, so a segment boundary costs no cycle and an empty segment one.
       */
      const loadSegment = () =>
        when(segIndex.ge(cfg.segments), () => pre.goto('Done')).otherwise(() => {
          sPos.set(segStatStart);
          sEnd.set(segStatEnd);
          bStart.set(segBcastStart);
          bEnd.set(segBcastEnd);
          rowPtrBase.set(segRowPtrBase);
          colPtrBase.set(segColPtrBase);
          const length = segBcastEnd.sub(segBcastStart);
          segVectors.set(length.add(F - 1).shr(logF));
          const following = segIndex.add(1);
          segIndex.set(following);
          readSegment(following);
          when(segStatStart.ge(segStatEnd).or(segBcastStart.ge(segBcastEnd)), () => pre.goto('SegLoad')).otherwise(() => {
            statRead.set(1);
            statReadAt.set(segStatStart);
            pre.goto('Stat');
          });
        });
      /** Done with the prepared vector (taken or skipped): count it, read the next one. */
      const leave = () => {
        golden.set(golden.add(resizeUnsigned(pCount.mul(bEnd.sub(bStart)), 32)));
        baseline.set(baseline.add(resizeUnsigned(segVectors, 32)));
        when(sNext.lt(sEnd), () => {
          statRead.set(1);
          statReadAt.set(sNext);
          sPos.set(sNext);
          pre.goto('Stat');
        }).otherwise(loadSegment);
      };
      const readPointers = (a: Signal, b: Signal) => {
        ptrRead.set(1);
        ptrReadA.set(a);
        ptrReadB.set(b);
      };
      pre.switch({
        Idle: () => when(io.start, () => {
          segIndex.set(io.segBase);
          readSegment(io.segBase);
          // A PE without segments flushes at once (IDLE_PE_COMPUTE of the array model).
          when(io.segBase.ge(cfg.segments), () => pre.goto('Done')).otherwise(() => pre.goto('SegLoad'));
        }),
        SegLoad: loadSegment,
        Stat: () => {
          if (!canVector) {
            when(taken, leave);
            return;
          }
          when(modeOff.or(meetsAll), () => when(taken, leave)).otherwise(() => {
            const { rows, cols } = statRanges!;
            pRowLo.set(rows.lo);
            pRowHi.set(rows.hi);
            pColLo.set(cols.lo);
            pColHi.set(cols.hi);
            when(rows.empty.or(cols.empty), leave)
              .elseWhen(modeElement, () => {
                const cursor = colPtrBase.add(resizeUnsigned(rows.lo.asUInt().trunc(p.coordBits).mul(colStride), w.pointerAddress)).named('first_row_cursor');
                pCursor.set(cursor);
                // A vector that meets every column meets every element of its rows, and those
                // lie back to back in the stream: one run from the row pointers, packed across
                // rows, instead of a walk of one row a cycle.
                when(cols.full, () => {
                  pRow.set(rows.hi.asUInt().trunc(p.coordBits));
                  readPointers(rowPtrBase.add(toPtr(rows.lo)), rowPtrBase.add(toPtr(rows.hi)).add(1));
                }).otherwise(() => {
                  pRow.set(rows.lo.asUInt().trunc(p.coordBits));
                  readPointers(cursor.add(toPtr(cols.lo)), cursor.add(toPtr(cols.hi)).add(1));
                });
                pre.goto('Pointers');
              })
              .otherwise(() => {
                readPointers(rowPtrBase.add(toPtr(rows.lo)), rowPtrBase.add(toPtr(rows.hi)).add(1));
                pre.goto('Pointers');
              });
          });
        },
        Pointers: () =>
          when(ptrA.lt(ptrB), () => when(taken, leave))
            .elseWhen(modeElement.and(signedCoord(p, pRow).lt(pRowHi)), () => {
              // An empty leading row: the prefetcher walks to the vector's first non-empty row.
              const next = pCursor.add(colStride);
              pCursor.set(next);
              pRow.set(pRow.add(1));
              readPointers(next.add(toPtr(pColLo)), next.add(toPtr(pColHi)).add(1));
            })
            .otherwise(leave),
        // Back to Idle once the issuer flushes: an array starts the PE again for its next unit.
        Done: () => when(iss.is('Flush'), () => pre.goto('Idle')),
      });
    });
  },
});

function oneHot(sel: Signal, values: readonly Signal[]): Signal {
  return reduceTree(
    values.map((v, i) => mux(sel.bit(i), v, 0)),
    (a, b) => a.or(b),
  );
}
