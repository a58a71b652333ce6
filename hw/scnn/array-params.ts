import { bitsFor, HwError, log2Ceil } from '../index.ts';
import { DEFAULT_PE, peModuleSuffix, peWidths, validatePeParams, type PeParams } from './pe-params.ts';

/**
 * A Px x Py array top (hw/scnn/array-top.ts). The PE's stationary buffer and
 * segment table hold every work unit of a pass (they stand for the activations
 * that stay in the PE); the global buffers hold the broadcast operands and
 * pointer tables of every unit, the descriptor memories one entry per unit,
 * each PE's output slice the windows it drained, and the merge program the
 * halo transfers between slices (docs/pe-array.md section 3a).
 */
export interface ArrayTopParams {
  pe: PeParams;
  px: number;
  py: number;
  /** Broadcast elements the fill bus carries per cycle (a power of two dividing F). */
  fillWidth: number;
  /** Broadcast elements of all the units of a pass (a power of two, a multiple of fillWidth). */
  globalBroadcastDepth: number;
  /**
   * Pointer-table entries of all the units of a pass (a power of two), in the PE's pointerLanes lane
   * memories; each unit's table starts on a fill beat of pointerLanes entries.
   */
  globalPointerDepth: number;
  /** Work units of one pass (a power of two). */
  unitDepth: number;
  /** Entries of each PE's output slice (a power of two, a multiple of the PE's banks): the windows it drains over a pass. */
  sliceDepth: number;
  /** Entries of each PE's merge list (a power of two): the halo row transfers it sends over a pass. */
  mergeListDepth: number;
  /** Phases of the halo merge of one pass (a power of two). */
  mergePhaseDepth: number;
}

export const DEFAULT_ARRAY_TOP: ArrayTopParams = {
  pe: DEFAULT_PE,
  px: 8,
  py: 8,
  fillWidth: 4,
  globalBroadcastDepth: 65536,
  globalPointerDepth: 65536,
  unitDepth: 1024,
  sliceDepth: 4096,
  // Row transfers (206-bit words with these parameters); the ResNet-18 CIFAR step needs at most 680 per PE and run.
  mergeListDepth: 1024,
  mergePhaseDepth: 256,
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
  if (!pow2(p.sliceDepth, Math.max(2, 2 * p.pe.banks))) fail(`sliceDepth must be a power of two of at least two bank rows (${2 * p.pe.banks}), got ${p.sliceDepth}`);
  if (!pow2(p.mergeListDepth, 2)) fail(`mergeListDepth must be a power of two of at least 2, got ${p.mergeListDepth}`);
  if (!pow2(p.mergePhaseDepth, 2)) fail(`mergePhaseDepth must be a power of two of at least 2, got ${p.mergePhaseDepth}`);
}

/** Widths of the array's descriptor fields, shared by the RTL and the image encoder (sim/scnn/array-images.ts). */
export function arrayWidths(p: ArrayTopParams) {
  const w = peWidths(p.pe);
  return {
    pe: w,
    pes: p.px * p.py,
    peIndex: log2Ceil(Math.max(2, p.px * p.py)),
    beatAddress: log2Ceil(p.globalBroadcastDepth / p.fillWidth),
    /** A fill beat of the global pointer memory: pointerLanes consecutive entries, one in each lane memory. */
    pointerBeatAddress: log2Ceil(p.globalPointerDepth / p.pe.pointerLanes),
    unitIndex: bitsFor(p.unitDepth),
    /** An entry of an output slice (row · A + lane) and a bank row of it. */
    sliceAddress: log2Ceil(p.sliceDepth),
    sliceRow: log2Ceil(p.sliceDepth / p.pe.banks),
    mergeListAddress: log2Ceil(p.mergeListDepth),
    mergePhase: bitsFor(p.mergePhaseDepth),
    /** Levels of the pipelined lane-wise adder tree of the weight-gradient reduction. */
    reductionLevels: Math.ceil(Math.log2(p.px * p.py)),
  };
}

/** Fields of one unit-descriptor word, high to low: [name, bits]. */
export function unitDescriptorFields(p: ArrayTopParams): [string, number][] {
  const a = arrayWidths(p);
  return [
    ['beatBase', a.beatAddress],
    ['broadcastElements', a.pe.broadcastIndex],
    /** The unit's first pointer beat (its table starts on a beat: the encoder pads the table before it). */
    ['pointerBase', a.pointerBeatAddress],
    ['pointerEntries', a.pe.pointerAddress + 1],
    /** Bank rows of the unit's window group (the largest ⌈window / A⌉): drained after its last unit. */
    ['groupRows', a.pe.entryBits + 1],
    /** On the run's first unit: the bank rows its fill clears in every accumulator set (the first group of each set). */
    ['runClearRows', a.pe.entryBits + 1],
    /** On a group's last unit: the bank rows this drain clears in its set (the next group of the run using that set; 0 if none). */
    ['drainClearRows', a.pe.entryBits + 1],
    ['lastOfGroup', 1],
    /** Weight gradient: the slice the reduction network adds the group's summed window into. */
    ['reduceSlice', a.peIndex],
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
    ['sliceRow', a.sliceRow],
    ['drainRows', a.pe.entryBits + 1],
  ];
}

/** A phase of the halo merge: how many cycles it walks (the longest list sent in it). */
export function mergePhaseFields(p: ArrayTopParams): [string, number][] {
  return [['length', arrayWidths(p).sliceAddress + 1]];
}

/** `<kind>_<row>_<col>` of PE i (at row floor(i / px), column i mod px): the instance names that prefix their memories' paths. */
const gridInstanceName = (kind: string, i: number, p: Pick<ArrayTopParams, 'px'>): string => `${kind}_${Math.floor(i / p.px)}_${i % p.px}`;
export const peInstanceName = (i: number, p: Pick<ArrayTopParams, 'px'>): string => gridInstanceName('pe', i, p);
export const sliceInstanceName = (i: number, p: Pick<ArrayTopParams, 'px'>): string => gridInstanceName('slice', i, p);

/**
 * The halo merge's links: a PE hears the sends of its eight neighbours on the array's torus
 * (rows and columns wrap), named by a direction code, the index of (row step, column step) here,
 * or its own (a phase entry's fromSelf bit). The output plan puts every output's owner within a
 * hop of its copies, and refuses a pass that would need more (docs/pe-array.md section 3a).
 */
export const MERGE_DIRECTIONS: readonly (readonly [number, number])[] = [
  [-1, -1], [-1, 0], [-1, 1],
  [0, -1], [0, 1],
  [1, -1], [1, 0], [1, 1],
];
export const MERGE_DIRECTION_BITS = 3;

/** The PE that PE i hears in direction d. */
export function mergeNeighbour(i: number, d: number, p: Pick<ArrayTopParams, 'px' | 'py'>): number {
  const [dy, dx] = MERGE_DIRECTIONS[d]!;
  const row = (Math.floor(i / p.px) + dy + p.py) % p.py;
  const col = ((i % p.px) + dx + p.px) % p.px;
  return row * p.px + col;
}

/** The direction code in which receiver hears sender, or undefined when sender is not one of its neighbours. */
export function mergeDirection(sender: number, receiver: number, p: Pick<ArrayTopParams, 'px' | 'py'>): number | undefined {
  const d = MERGE_DIRECTIONS.findIndex((_, k) => mergeNeighbour(receiver, k, p) === sender);
  return d < 0 ? undefined : d;
}

/** A PE's part of a merge phase: the list it sends (start, count) and whom it receives from (itself, or the neighbour in direction `from`). */
export function peMergeFields(p: ArrayTopParams): [string, number][] {
  const a = arrayWidths(p);
  return [
    ['listStart', a.mergeListAddress],
    ['count', a.sliceAddress + 1],
    ['receives', 1],
    ['fromSelf', 1],
    ['from', MERGE_DIRECTION_BITS],
  ];
}

/**
 * One row transfer of the halo merge (sim/scnn/array-output.ts): for each set bit l of mask, receiver
 * lane l of slice row dstRow adds lane select_l of the sender's slice row srcRow.
 */
export function mergeTransferFields(p: ArrayTopParams): [string, number][] {
  const a = arrayWidths(p);
  const A = p.pe.banks;
  return [
    ['srcRow', a.sliceRow],
    ['dstRow', a.sliceRow],
    ['mask', A],
    ...Array.from({ length: A }, (_, l): [string, number] => [`select${A - 1 - l}`, Math.log2(A)]),
  ];
}

export function arrayModuleSuffix(p: ArrayTopParams): string {
  return `${p.px}x${p.py}_fw${p.fillWidth}_gb${p.globalBroadcastDepth}_gp${p.globalPointerDepth}_u${p.unitDepth}_s${p.sliceDepth}_m${p.mergeListDepth}x${p.mergePhaseDepth}_${peModuleSuffix(p.pe)}`;
}
