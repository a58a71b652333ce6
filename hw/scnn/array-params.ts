import { bitsFor, HwError, log2Ceil } from '../index.ts';
import { DEFAULT_PE, peModuleSuffix, peWidths, validatePeParams, type PeParams } from './pe-params.ts';

/**
 * A Px x Py array top (hw/scnn/array-top.ts). The PE's stationary buffer and
 * segment table hold every work unit of a pass (they stand for the activations
 * that stay in the PE); the global buffers hold the broadcast operands and
 * pointer tables of every unit, the descriptor memories one entry per unit,
 * and the output buffer the pass's whole output tensor.
 */
export interface ArrayTopParams {
  pe: PeParams;
  px: number;
  py: number;
  /** Broadcast elements the fill bus carries per cycle (a power of two dividing F). */
  fillWidth: number;
  /** Broadcast elements of all the units of a pass (a power of two, a multiple of fillWidth). */
  globalBroadcastDepth: number;
  /** Pointer-table entries of all the units of a pass (a power of two). */
  globalPointerDepth: number;
  /** Work units of one pass (a power of two). */
  unitDepth: number;
  /** Elements of the pass's output tensor (a power of two). */
  outputDepth: number;
}

export const DEFAULT_ARRAY_TOP: ArrayTopParams = {
  pe: DEFAULT_PE,
  px: 8,
  py: 8,
  fillWidth: 4,
  globalBroadcastDepth: 65536,
  globalPointerDepth: 65536,
  unitDepth: 1024,
  outputDepth: 65536,
};

const pow2 = (x: number, min = 1) => Number.isInteger(x) && x >= min && (x & (x - 1)) === 0;

export function validateArrayTopParams(p: ArrayTopParams): void {
  validatePeParams(p.pe);
  const fail = (m: string): never => {
    throw new HwError(`ScnnArrayTop: ${m}`);
  };
  for (const k of ['px', 'py'] as const) if (!Number.isInteger(p[k]) || p[k] < 1 || p[k] > 16) fail(`${k} must be an integer in [1, 16], got ${p[k]}`);
  if (!pow2(p.fillWidth) || p.pe.F % p.fillWidth !== 0) fail(`fillWidth must be a power of two dividing F = ${p.pe.F}, got ${p.fillWidth}`);
  if (!pow2(p.globalBroadcastDepth, Math.max(2 * p.fillWidth, p.pe.broadcastDepth))) fail(`globalBroadcastDepth must be a power of two of at least the PE's broadcast buffer (${p.pe.broadcastDepth}), got ${p.globalBroadcastDepth}`);
  if (!pow2(p.globalPointerDepth, Math.max(2, p.pe.pointerDepth))) fail(`globalPointerDepth must be a power of two of at least the PE's pointer memory (${p.pe.pointerDepth}), got ${p.globalPointerDepth}`);
  if (!pow2(p.unitDepth, 2)) fail(`unitDepth must be a power of two of at least 2, got ${p.unitDepth}`);
  if (!pow2(p.outputDepth, 2)) fail(`outputDepth must be a power of two of at least 2, got ${p.outputDepth}`);
}

/** Widths of the array's descriptor fields, shared by the RTL and the image encoder (sim/scnn/array-images.ts). */
export function arrayWidths(p: ArrayTopParams) {
  const w = peWidths(p.pe);
  return {
    pe: w,
    pes: p.px * p.py,
    peIndex: log2Ceil(Math.max(2, p.px * p.py)),
    beatAddress: log2Ceil(p.globalBroadcastDepth / p.fillWidth),
    globalPointerAddress: log2Ceil(p.globalPointerDepth),
    unitIndex: bitsFor(p.unitDepth),
    outputAddress: log2Ceil(p.outputDepth),
    /** Channel counts of a window: up to every accumulator. */
    channels: w.address + 1,
    /** Rows / columns of a window that lie inside the output (0 .. 2^coordBits). */
    limit: p.pe.coordBits + 1,
  };
}

/** Fields of one unit-descriptor word, high to low: [name, bits]. */
export function unitDescriptorFields(p: ArrayTopParams): [string, number][] {
  const a = arrayWidths(p);
  return [
    ['beatBase', a.beatAddress],
    ['broadcastElements', a.pe.broadcastIndex],
    ['pointerBase', a.globalPointerAddress],
    ['pointerEntries', a.pe.pointerAddress + 1],
    ['clearEntries', a.pe.entryBits + 1],
    ['firstOfGroup', 1],
    ['lastOfGroup', 1],
  ];
}

/** Fields of one per-PE descriptor word (window, segment range, output placement), high to low. */
export function peDescriptorFields(p: ArrayTopParams): [string, number][] {
  const a = arrayWidths(p);
  const c = p.pe.coordBits;
  return [
    ['originRow', c],
    ['originCol', c],
    ['windowRows', c],
    ['windowCols', c],
    ['chStride', a.pe.address],
    ['schStride', a.pe.address],
    ['segBase', a.pe.segmentIndex],
    ['segEnd', a.pe.segmentIndex],
    ['channels', a.channels],
    ['stationaryChannels', a.channels],
    ['outBase', a.outputAddress],
    ['rowLimit', a.limit],
    ['colLimit', a.limit],
  ];
}

export function arrayModuleSuffix(p: ArrayTopParams): string {
  return `${p.px}x${p.py}_fw${p.fillWidth}_gb${p.globalBroadcastDepth}_gp${p.globalPointerDepth}_u${p.unitDepth}_o${p.outputDepth}_${peModuleSuffix(p.pe)}`;
}
