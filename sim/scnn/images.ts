/**
 * A work unit as the 1 x 1 PE top's memory images and configuration registers
 * (hw/scnn/pe-top.ts), and the output buffer dump back as the accumulator
 * window. Memory layout (docs/pe-array.md, "buffers"):
 *
 * - element word: value (valueWidth, two's complement) | row | col | ch (coordBits each), value high;
 * - stationary buffer: I memories, element e in memory e mod I at address e div I;
 * - global broadcast buffer: fillWidth memories, element e in memory e mod fillWidth at e div fillWidth
 *   (the fill engine re-interleaves them over the PE's F memories);
 * - pointer table, per broadcast segment: rows + 1 row pointers, then (vector capability aside)
 *   rows x (cols + 1) column pointers; all pointers are absolute broadcast element indices;
 *   global pointer memory: pointerLanes memories, entry e in memory e mod pointerLanes at e div pointerLanes;
 * - segment table word: stationary start | end | broadcast start | end | row-pointer base | column-pointer base.
 */
import { accumulatorBank } from '../../hw/scnn/accumulator-banks.ts';
import { ANTICIPATION_CODES, PASS_CODES, peWidths, type AnticipationCapability, type PeParams } from '../../hw/scnn/pe-params.ts';
import type { PeTopParams } from '../../hw/scnn/pe-top.ts';
import { type Anticipation, type ElementList, type PassGeometry, type PeSegment, type WorkUnit, windowSize } from './work-unit.ts';

export class ImpossibleWorkUnit extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImpossibleWorkUnit';
  }
}

export interface PeTopImages {
  readonly config: Record<string, number>;
  readonly memories: Record<string, bigint[] | number[]>;
  /** Output buffer memories to dump, in bank order. */
  readonly outputMemories: readonly string[];
  readonly windowEntries: number;
  readonly pointerEntries: number;
}

const STRIDE_SHIFT: Readonly<Record<number, number>> = { 1: 0, 2: 1, 4: 2 };

/** Pointer-table layout of each broadcast segment: where its row and column pointers start. */
export interface PointerLayout {
  readonly rowBase: number[];
  readonly colBase: number[];
  readonly table: number[];
}

/** Entries of the pointer tables of a work unit on a PE of this capability. */
export function pointerEntryCount(unit: WorkUnit, capability: AnticipationCapability): number {
  return segmentPointerEntries(unit.geometry, capability) * unit.broadcastSegments.length;
}

/** Fill beats of a work unit's pointer tables: the fill engine copies pointerLanes entries per cycle. */
export function pointerFillBeats(unit: WorkUnit, p: PeParams): number {
  return Math.ceil(pointerEntryCount(unit, p.anticipation) / p.pointerLanes);
}

/** Entries of one broadcast segment's pointer tables. */
export function segmentPointerEntries(g: PassGeometry, capability: AnticipationCapability): number {
  return (capability === 'off' ? 0 : g.broadcastRows + 1) + (capability === 'element' ? g.broadcastRows * (g.broadcastCols + 1) : 0);
}

/** Row pointers (rows + 1) and, for element capability, column pointers (rows x (cols + 1)) of every broadcast segment. */
export function pointerTables(unit: WorkUnit, capability: AnticipationCapability): PointerLayout {
  const g = unit.geometry;
  const b = unit.broadcast;
  const table: number[] = [];
  const rowBase: number[] = [];
  const colBase: number[] = [];
  for (const seg of unit.broadcastSegments) {
    const firstAtOrAfter = (r: number, c: number) => firstAtOrAfterInSegment(b, seg.start, seg.end, r, c);
    rowBase.push(table.length);
    if (capability !== 'off') for (let r = 0; r <= g.broadcastRows; r++) table.push(firstAtOrAfter(r, 0));
    colBase.push(table.length);
    if (capability === 'element') {
      for (let r = 0; r < g.broadcastRows; r++) for (let c = 0; c <= g.broadcastCols; c++) table.push(c === g.broadcastCols ? firstAtOrAfter(r + 1, 0) : firstAtOrAfter(r, c));
    }
  }
  return { rowBase, colBase, table };
}

/** First index of a (row, col)-sorted range [start, end) at or after (row, col): a binary search. */
export function firstAtOrAfterInSegment(b: ElementList, start: number, end: number, row: number, col: number): number {
  let lo = start;
  let hi = end;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (b.row[mid]! < row || (b.row[mid] === row && b.col[mid]! < col)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Element words (value | row | col | ch) of a list, refusing what does not fit. */
export function elementWords(list: ElementList, p: PeParams, what: string): bigint[] {
  const c = BigInt(p.coordBits);
  const words: bigint[] = [];
  for (let i = 0; i < list.values.length; i++) {
    const v = list.values[i]!;
    if (v < -(2 ** (p.valueWidth - 1)) || v >= 2 ** (p.valueWidth - 1)) throw new ImpossibleWorkUnit(`${what} value ${v} at element ${i} does not fit ${p.valueWidth} signed bits`);
    for (const [name, x] of [['row', list.row[i]!], ['col', list.col[i]!], ['ch', list.ch[i]!]] as const) {
      if (x < 0 || x >= 2 ** p.coordBits) throw new ImpossibleWorkUnit(`${what} ${name} ${x} at element ${i} does not fit ${p.coordBits} coordinate bits (0..${2 ** p.coordBits - 1})`);
    }
    const value = BigInt.asUintN(p.valueWidth, BigInt(v));
    words.push((value << (3n * c)) | (BigInt(list.row[i]!) << (2n * c)) | (BigInt(list.col[i]!) << c) | BigInt(list.ch[i]!));
  }
  return words;
}

function interleave(words: readonly bigint[], ways: number, prefix: string, into: Record<string, bigint[] | number[]>): void {
  for (let j = 0; j < ways; j++) into[`${prefix}${j}`] = words.filter((_, e) => e % ways === j);
}

function checkSorted(list: ElementList, start: number, end: number, what: string): void {
  for (let i = start + 1; i < end; i++) {
    const a = [list.row[i - 1]!, list.col[i - 1]!, list.ch[i - 1]!];
    const b = [list.row[i]!, list.col[i]!, list.ch[i]!];
    const order = a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!;
    if (order > 0) throw new ImpossibleWorkUnit(`${what} is not sorted by (row, col, ch) at element ${i}: (${a.join(', ')}) before (${b.join(', ')})`);
  }
}

/** Packs fields given high to low as [value, bits] into one word. */
export function packFields(fields: readonly (readonly [number, number])[]): bigint {
  return fields.reduce((word, [v, bits]) => (word << BigInt(bits)) | BigInt(v), 0n);
}

/** A segment-table word; `stationaryOffset` places the segment's stationary range in a buffer shared by several units. */
export function segmentWord(p: PeParams, unit: WorkUnit, pointers: PointerLayout, s: PeSegment, stationaryOffset: number): bigint {
  const w = peWidths(p);
  const b = unit.broadcastSegments[s.broadcastSegment]!;
  return packFields([
    [stationaryOffset + s.start, w.stationaryIndex], [stationaryOffset + s.end, w.stationaryIndex], [b.start, w.broadcastIndex], [b.end, w.broadcastIndex],
    [pointers.rowBase[s.broadcastSegment]!, w.pointerAddress], [pointers.colBase[s.broadcastSegment]! % 2 ** w.pointerAddress, w.pointerAddress],
  ]);
}

/**
 * The memory images and configuration registers of the top for one work unit
 * in one anticipation mode. Everything the hardware cannot hold or represent
 * is refused here, with the limit that it exceeds, before anything runs.
 */
export function encodePeTop(unit: WorkUnit, params: PeTopParams, mode: Anticipation, cycleLimit: number): PeTopImages {
  const p = params.pe;
  const w = peWidths(p);
  const g = unit.geometry;
  const fail = (m: string): never => {
    throw new ImpossibleWorkUnit(`work unit refused: ${m}`);
  };
  if (unit.pes.length !== 1) fail(`the 1 x 1 top runs one PE, the work unit has ${unit.pes.length}`);
  const pe = unit.pes[0]!;
  if (ANTICIPATION_CODES[mode] > ANTICIPATION_CODES[p.anticipation]) fail(`mode '${mode}' needs a PE elaborated with at least that anticipation; this one has '${p.anticipation}'`);
  const shift = STRIDE_SHIFT[g.stride];
  if (shift === undefined) fail(`stride ${g.stride} is not supported: strides are 1, 2 or 4 (a shift)`);
  const maxCoord = 2 ** p.coordBits - 1;
  const win = pe.window;
  for (const [name, v] of Object.entries({
    padding: g.padding, outRows: g.outRows, outCols: g.outCols, broadcastRows: g.broadcastRows, broadcastCols: g.broadcastCols,
    originRow: win.originRow, originCol: win.originCol, windowRows: win.windowRows, windowCols: win.windowCols,
  })) {
    if (!Number.isInteger(v) || v < 0 || v > maxCoord) fail(`${name} = ${v} does not fit ${p.coordBits} coordinate bits (0..${maxCoord})`);
  }
  const size = windowSize(win);
  if (size > p.banks * p.bankDepth) fail(`the accumulator window holds ${size} outputs, the PE has ${p.banks} banks x ${p.bankDepth} = ${p.banks * p.bankDepth}`);
  const nS = pe.stationary.values.length;
  const nB = unit.broadcast.values.length;
  if (nS > p.stationaryDepth) fail(`${nS} stationary elements exceed the stationary buffer (${p.stationaryDepth})`);
  if (nB > p.broadcastDepth) fail(`${nB} broadcast elements exceed the broadcast buffer (${p.broadcastDepth})`);
  if (pe.segments.length > p.segmentDepth) fail(`${pe.segments.length} segments exceed the segment table (${p.segmentDepth})`);
  unit.broadcastSegments.forEach((s, k) => {
    if (s.start < 0 || s.end < s.start || s.end > nB) fail(`broadcast segment ${k} [${s.start}, ${s.end}) lies outside the ${nB} broadcast elements`);
    checkSorted(unit.broadcast, s.start, s.end, `broadcast segment ${k}`);
    for (let i = s.start; i < s.end; i++) {
      if (unit.broadcast.row[i]! >= g.broadcastRows || unit.broadcast.col[i]! >= g.broadcastCols) fail(`broadcast element ${i} at (${unit.broadcast.row[i]}, ${unit.broadcast.col[i]}) lies outside the ${g.broadcastRows} x ${g.broadcastCols} broadcast extent`);
    }
  });
  pe.segments.forEach((s, k) => {
    if (s.start < 0 || s.end < s.start || s.end > nS) fail(`segment ${k} [${s.start}, ${s.end}) lies outside the ${nS} stationary elements`);
    if (!unit.broadcastSegments[s.broadcastSegment]) fail(`segment ${k} names broadcast segment ${s.broadcastSegment}, which does not exist`);
    checkSorted(pe.stationary, s.start, s.end, `segment ${k}`);
  });
  const pointers = pointerTables(unit, p.anticipation);
  if (pointers.table.length > p.pointerDepth) fail(`the pointer tables need ${pointers.table.length} entries, the pointer memory has ${p.pointerDepth}`);
  if (!Number.isInteger(cycleLimit) || cycleLimit < 1 || cycleLimit >= 2 ** 32) fail(`the cycle limit must be an integer in [1, 2^32), got ${cycleLimit}`);

  const mask = 2 ** w.address - 1;
  const plane = win.windowRows * win.windowCols;
  const memories: Record<string, bigint[] | number[]> = {};
  interleave(elementWords(pe.stationary, p, 'stationary'), p.I, 'pe.stationary_', memories);
  interleave(elementWords(unit.broadcast, p, 'broadcast'), params.fillWidth, 'global_broadcast_', memories);
  for (let j = 0; j < p.pointerLanes; j++) memories[`global_pointers_${j}`] = pointers.table.filter((_, e) => e % p.pointerLanes === j);
  memories['pe.segments'] = pe.segments.map((s) => segmentWord(p, unit, pointers, s, 0));
  const windowEntries = Math.ceil(size / p.banks);
  const config: Record<string, number> = {
    cfg_pass: PASS_CODES[g.pass],
    cfg_strideShift: shift!,
    cfg_padding: g.padding,
    cfg_outRows: g.outRows,
    cfg_outCols: g.outCols,
    cfg_broadcastRows: g.broadcastRows,
    cfg_broadcastCols: g.broadcastCols,
    cfg_originRow: win.originRow,
    cfg_originCol: win.originCol,
    cfg_windowRows: win.windowRows,
    cfg_windowCols: win.windowCols,
    // Addresses wrap at the address width; every valid address lies below the window size.
    cfg_chStride: (win.stationaryChannels * plane) & mask,
    cfg_schStride: plane & mask,
    cfg_mode: ANTICIPATION_CODES[mode],
    cfg_segments: pe.segments.length,
    cfg_broadcastElements: nB,
    cfg_pointerEntries: pointers.table.length,
    cfg_windowEntries: windowEntries,
    cfg_cycleLimit: cycleLimit,
    start: 1,
  };
  return {
    config,
    memories,
    outputMemories: Array.from({ length: p.banks }, (_, b) => `output_${b}`),
    windowEntries,
    pointerEntries: pointers.table.length,
  };
}

/** The accumulator window from the output buffer dumps (bank order): address a is entry a div banks of its bank (accumulatorBank). */
export function decodeWindow(unit: WorkUnit, params: PeTopParams, dumps: readonly ArrayLike<number>[]): Int32Array {
  const A = params.pe.banks;
  if (dumps.length !== A) throw new ImpossibleWorkUnit(`expected ${A} output buffer dumps, got ${dumps.length}`);
  const out = new Int32Array(windowSize(unit.pes[0]!.window));
  for (let a = 0; a < out.length; a++) out[a] = dumps[accumulatorBank(a, A, params.pe.bankMapping)]![Math.floor(a / A)]!;
  return out;
}
