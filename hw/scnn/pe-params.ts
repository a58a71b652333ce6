import { bitsFor, HwError, log2Ceil } from '../index.ts';
import { BANK_MAPPINGS, type BankMapping } from './accumulator-banks.ts';

/** The most anticipation an elaborated PE can do; a run-time mode register selects this or any lesser mode. */
export type AnticipationCapability = 'off' | 'vector' | 'element';
export const ANTICIPATION_CODES: Readonly<Record<AnticipationCapability, number>> = { off: 0, vector: 1, element: 2 };

/** Pass codes of the `pass` configuration register. */
export const PASS_CODES = { forward: 0, inputGradient: 1, weightGradient: 2, matmul: 3, weightGradientSwapped: 4 } as const;

export interface PeParams {
  /** Broadcast vector width (a power of two, at least 2). */
  F: number;
  /** Stationary vector width (a power of two, at least 2). */
  I: number;
  valueWidth: number;
  accWidth: number;
  /** Accumulator banks (a power of two); default 2·F·I. */
  banks: number;
  /** Entries per bank (a power of two). */
  bankDepth: number;
  /**
   * Accumulator sets of A banks x bankDepth entries each: 2 double-buffers them (a window group
   * computes into one set while the array drains the other, docs/pe-array.md section 3a); 1 is
   * the single-buffered build, kept for area comparisons. A window holds at most A x bankDepth
   * outputs either way.
   */
  accumulatorSets: 1 | 2;
  /** Which bank holds an accumulator address (hw/scnn/accumulator-banks.ts): 'xor' spreads the weight gradient's output channels; 'modulo' is kept for comparison. */
  bankMapping: BankMapping;
  /** Bits of every row, column and channel coordinate (unsigned). */
  coordBits: number;
  /** Stationary elements the PE holds (a power of two, a multiple of I). */
  stationaryDepth: number;
  /** Broadcast elements the PE holds (a power of two, a multiple of F). */
  broadcastDepth: number;
  /** Entries of the row/column pointer memory (a power of two). */
  pointerDepth: number;
  /**
   * Lanes of the pointer memory (a power of two in [1, F], at most pointerDepth / 2): entry e lies in
   * lane e mod pointerLanes at e div pointerLanes, so the fill port writes this many consecutive
   * entries per cycle while each read port reads the one lane its address names.
   */
  pointerLanes: number;
  /** Entries of the segment table (a power of two). */
  segmentDepth: number;
  anticipation: AnticipationCapability;
}

export const DEFAULT_PE: PeParams = {
  F: 4,
  I: 4,
  valueWidth: 16,
  accWidth: 32,
  banks: 32,
  bankDepth: 64,
  accumulatorSets: 2,
  bankMapping: 'xor',
  coordBits: 8,
  stationaryDepth: 1024,
  broadcastDepth: 1024,
  pointerDepth: 4096,
  pointerLanes: 4,
  segmentDepth: 64,
  anticipation: 'element',
};

const pow2 = (x: number, min = 1) => Number.isInteger(x) && x >= min && (x & (x - 1)) === 0;

export function validatePeParams(p: PeParams): void {
  const fail = (m: string): never => {
    throw new HwError(`ScnnPe: ${m}`);
  };
  if (!pow2(p.F, 2)) fail(`F must be a power of two of at least 2, got ${p.F}`);
  if (!pow2(p.I, 2)) fail(`I must be a power of two of at least 2, got ${p.I}`);
  if (!Number.isInteger(p.valueWidth) || p.valueWidth < 2 || p.valueWidth > 32) fail(`valueWidth must be in [2, 32], got ${p.valueWidth}`);
  if (!Number.isInteger(p.accWidth) || p.accWidth < 2 * p.valueWidth || p.accWidth > 32) fail(`accWidth must be in [2·valueWidth, 32], got ${p.accWidth}`);
  if (!pow2(p.banks, 2)) fail(`banks must be a power of two of at least 2, got ${p.banks}`);
  if (!pow2(p.bankDepth, 2)) fail(`bankDepth must be a power of two of at least 2, got ${p.bankDepth}`);
  if (p.accumulatorSets !== 1 && p.accumulatorSets !== 2) fail(`accumulatorSets must be 1 or 2, got ${p.accumulatorSets}`);
  if (!BANK_MAPPINGS.includes(p.bankMapping)) fail(`bankMapping must be ${BANK_MAPPINGS.join(' or ')}, got '${p.bankMapping}'`);
  if (!Number.isInteger(p.coordBits) || p.coordBits < 2 || p.coordBits > 16) fail(`coordBits must be in [2, 16], got ${p.coordBits}`);
  if (!pow2(p.stationaryDepth, 2 * p.I)) fail(`stationaryDepth must be a power of two of at least 2·I, got ${p.stationaryDepth}`);
  if (!pow2(p.broadcastDepth, 2 * p.F)) fail(`broadcastDepth must be a power of two of at least 2·F, got ${p.broadcastDepth}`);
  if (!pow2(p.pointerDepth, 2)) fail(`pointerDepth must be a power of two of at least 2, got ${p.pointerDepth}`);
  if (!pow2(p.pointerLanes) || p.pointerLanes > p.F || p.pointerLanes > p.pointerDepth / 2) fail(`pointerLanes must be a power of two in [1, F = ${p.F}] and at most pointerDepth / 2 = ${p.pointerDepth / 2}, got ${p.pointerLanes}`);
  if (!pow2(p.segmentDepth, 2)) fail(`segmentDepth must be a power of two of at least 2, got ${p.segmentDepth}`);
  if (!(p.anticipation in ANTICIPATION_CODES)) fail(`anticipation must be off, vector or element, got '${p.anticipation}'`);
}

/** Widths derived from the parameters, shared by the RTL and the image encoder. */
export function peWidths(p: PeParams) {
  return {
    /** Accumulator address bits (bank and entry). */
    address: log2Ceil(p.banks * p.bankDepth),
    bankBits: log2Ceil(p.banks),
    entryBits: log2Ceil(p.bankDepth),
    /** Stationary / broadcast element indices, end pointers included. */
    stationaryIndex: bitsFor(p.stationaryDepth),
    broadcastIndex: bitsFor(p.broadcastDepth),
    pointerAddress: log2Ceil(p.pointerDepth),
    /** Address within one lane of the pointer memory (one half of the double buffer). */
    pointerLaneAddress: log2Ceil(p.pointerDepth / p.pointerLanes),
    segmentIndex: bitsFor(p.segmentDepth),
    /** Signed width of coordinate arithmetic: a coordinate shifted by 2 plus another, with a sign. */
    signedCoord: p.coordBits + 4,
    /** value, row, col, ch of one element word. */
    element: p.valueWidth + 3 * p.coordBits,
  };
}

export function peModuleSuffix(p: PeParams): string {
  return `f${p.F}_i${p.I}_v${p.valueWidth}_a${p.accWidth}_b${p.banks}x${p.bankDepth}x${p.accumulatorSets}${p.bankMapping === 'xor' ? 'x' : 'm'}_c${p.coordBits}_s${p.stationaryDepth}_bc${p.broadcastDepth}_p${p.pointerDepth}x${p.pointerLanes}_g${p.segmentDepth}_${p.anticipation}`;
}
