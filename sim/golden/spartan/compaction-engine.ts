/**
 * Golden model of the compaction engine (hw/spartan/compaction-engine.ts): the
 * vectors each output stream carries for a C x H x W tensor, derived from the
 * repository's sparse formats (COO for the element stream, CSR for the row
 * pointers, ZVC for the masks), and the inverse: the formats rebuilt from
 * what the RTL emitted, so they can be validated by the formats' own checks.
 */
import { type DenseArray } from '../dense-array.ts';
import { signedRange } from '../fixed-point.ts';
import { encodeCoo, type CooBuffer } from '../formats/coo.ts';
import { encodeCsrChw, type CsrBuffer } from '../formats/csr.ts';
import { encodeZvc, ZVC_WINDOW, type ZvcBuffer } from '../formats/zvc.ts';
import { chunkWithFinal } from './beats.ts';

export type CompactionMode = 'csr' | 'zvc';

export interface CompactionShape {
  readonly outLanes: number;
  readonly elementWidth: number;
  readonly coordBits: number;
  readonly pointerBits: number;
}

/** One vector of the element stream: `count` non-zeros with their coordinates. */
export interface ElementVector {
  readonly values: number[];
  readonly channels: number[];
  readonly rows: number[];
  readonly cols: number[];
  readonly last: boolean;
}

export interface PointerVector {
  readonly pointers: number[];
  readonly last: boolean;
}

export interface MaskWord {
  readonly mask: number;
  readonly last: boolean;
}

export interface CompactionStreams {
  readonly elements: ElementVector[];
  /** CSR mode only: rowPtr[1..rows] in vectors (rowPtr[0] = 0 is implied). */
  readonly pointers: PointerVector[];
  /** ZVC mode only: one mask per 32-element window. */
  readonly masks: MaskWord[];
}

/** Throws unless the engine can take this tensor with these parameters. */
export function validateCompactionInput(tensor: DenseArray, shape: CompactionShape): void {
  if (tensor.dims.length !== 3) throw new RangeError(`the compaction engine takes a C x H x W tensor, got dims [${tensor.dims.join(', ')}]`);
  const maxDim = 2 ** shape.coordBits - 1;
  tensor.dims.forEach((d, axis) => {
    if (!Number.isInteger(d) || d < 1 || d > maxDim) {
      throw new RangeError(`dimension ${axis} is ${d}; the engine's ${shape.coordBits}-bit coordinates take 1..${maxDim}`);
    }
  });
  const { min, max } = signedRange(shape.elementWidth);
  const bad = tensor.values.findIndex((v) => v < min || v > max);
  if (bad >= 0) throw new RangeError(`element ${bad} = ${tensor.values[bad]} does not fit ${shape.elementWidth}-bit signed lanes`);
  if (tensor.values.length >= 2 ** shape.pointerBits) {
    throw new RangeError(`${tensor.values.length} elements may overflow ${shape.pointerBits}-bit row pointers`);
  }
}

/** What the engine emits for one tensor. */
export function compactTensor(tensor: DenseArray, shape: CompactionShape, mode: CompactionMode): CompactionStreams {
  validateCompactionInput(tensor, shape);
  const coo = encodeCoo(tensor);
  const entries = Array.from(coo.values, (value, j) => ({ value, channel: coo.coords[0]![j]!, row: coo.coords[1]![j]!, col: coo.coords[2]![j]! }));
  const elements = chunkWithFinal(entries, shape.outLanes).map((v) => ({
    values: v.items.map((e) => e.value),
    channels: v.items.map((e) => e.channel),
    rows: v.items.map((e) => e.row),
    cols: v.items.map((e) => e.col),
    last: v.last,
  }));
  if (mode === 'zvc') {
    const zvc = encodeZvc(tensor.values);
    const masks = Array.from(zvc.masks, (mask, w) => ({ mask, last: w === zvc.masks.length - 1 }));
    return { elements, pointers: [], masks };
  }
  const csr = encodeCsrChw(tensor);
  const pointers = chunkWithFinal(Array.from(csr.rowPtr.slice(1)), shape.outLanes).map((v) => ({ pointers: v.items, last: v.last }));
  return { elements, pointers, masks: [] };
}

/** The streams of several tensors sent back to back. */
export function compactTensors(tensors: readonly DenseArray[], shape: CompactionShape, mode: CompactionMode): CompactionStreams {
  const parts = tensors.map((t) => compactTensor(t, shape, mode));
  return {
    elements: parts.flatMap((p) => p.elements),
    pointers: parts.flatMap((p) => p.pointers),
    masks: parts.flatMap((p) => p.masks),
  };
}

/** Splits a stream of vectors at the `last` flags: one group per tensor. */
export function splitTensors<T extends { readonly last: boolean }>(vectors: readonly T[]): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  for (const v of vectors) {
    current.push(v);
    if (v.last) {
      groups.push(current);
      current = [];
    }
  }
  if (current.length > 0) throw new RangeError(`${current.length} vector(s) follow the last one marked 'last'`);
  return groups;
}

/** COO of one tensor from its element vectors (as emitted). */
export function elementsToCoo(vectors: readonly ElementVector[], dims: readonly [number, number, number]): CooBuffer {
  const all = (pick: (v: ElementVector) => number[]) => Int32Array.from(vectors.flatMap(pick));
  return { dims: [...dims], coords: [all((v) => v.channels), all((v) => v.rows), all((v) => v.cols)], values: all((v) => v.values) };
}

/** CSR of the (C*H) x W view of one tensor from its element and pointer vectors. */
export function streamsToCsr(elements: readonly ElementVector[], pointers: readonly PointerVector[], dims: readonly [number, number, number]): CsrBuffer {
  const [channels, height, width] = dims;
  const rowPtr = Int32Array.from([0, ...pointers.flatMap((v) => v.pointers)]);
  return {
    rows: channels * height,
    cols: width,
    rowPtr,
    colIdx: Int32Array.from(elements.flatMap((v) => v.cols)),
    values: Int32Array.from(elements.flatMap((v) => v.values)),
  };
}

/** ZVC buffer of one tensor from its element vectors and mask words. */
export function streamsToZvc(elements: readonly ElementVector[], masks: readonly MaskWord[], length: number): ZvcBuffer {
  return { length, masks: Uint32Array.from(masks.map((m) => m.mask >>> 0)), values: Int32Array.from(elements.flatMap((v) => v.values)) };
}

/** Number of ZVC windows of a tensor. */
export function zvcWindows(length: number): number {
  return Math.ceil(length / ZVC_WINDOW);
}
