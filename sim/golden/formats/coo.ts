/**
 * Coordinate list: one Int32Array of indices per dimension plus the values, sorted
 * in row-major order with no duplicates and no stored zeros. For a C x H x W
 * tensor the coordinate arrays are exactly the compaction engine's
 * (channel, row, column) outputs.
 */
import { assertDims, assertTensor, elementCount, type DenseArray } from '../dense-array.ts';
import { FormatError, assertIntegerArray } from './format-error.ts';

export interface CooBuffer {
  readonly dims: readonly number[];
  /** coords[d][j] = index along dimension d of the j-th non-zero. */
  readonly coords: readonly Int32Array[];
  readonly values: Int32Array;
}

export function encodeCoo(tensor: DenseArray): CooBuffer {
  assertTensor(tensor, 'encodeCoo');
  const rank = tensor.dims.length;
  let nnz = 0;
  for (const v of tensor.values) if (v !== 0) nnz++;
  const coords = Array.from({ length: rank }, () => new Int32Array(nnz));
  const values = new Int32Array(nnz);
  let next = 0;
  for (let i = 0; i < tensor.values.length; i++) {
    const v = tensor.values[i]!;
    if (v === 0) continue;
    let rest = i;
    for (let d = rank - 1; d >= 0; d--) {
      const size = tensor.dims[d]!;
      coords[d]![next] = rest % size;
      rest = Math.floor(rest / size);
    }
    values[next++] = v;
  }
  return { dims: [...tensor.dims], coords, values };
}

function flatIndex(buffer: CooBuffer, j: number): number {
  let index = 0;
  for (let d = 0; d < buffer.dims.length; d++) index = index * buffer.dims[d]! + buffer.coords[d]![j]!;
  return index;
}

export function validateCoo(buffer: CooBuffer): void {
  try {
    assertDims(buffer.dims, 'COO');
  } catch (error) {
    throw new FormatError('COO', (error as Error).message);
  }
  assertIntegerArray('COO', 'values', buffer.values, 'Int32Array');
  if (!Array.isArray(buffer.coords) || buffer.coords.length !== buffer.dims.length) {
    throw new FormatError('COO', `needs one coordinate array per dimension (${buffer.dims.length})`);
  }
  const nnz = buffer.values.length;
  for (let d = 0; d < buffer.dims.length; d++) {
    const axis = buffer.coords[d];
    assertIntegerArray('COO', `coords[${d}]`, axis, 'Int32Array');
    if (axis!.length !== nnz) {
      throw new FormatError('COO', `coords[${d}] has ${axis!.length} entries but values has ${nnz}`);
    }
    for (let j = 0; j < nnz; j++) {
      const c = axis![j]!;
      if (c < 0 || c >= buffer.dims[d]!) {
        throw new FormatError('COO', `coords[${d}][${j}] = ${c} is outside [0, ${buffer.dims[d]})`);
      }
    }
  }
  let previous = -1;
  for (let j = 0; j < nnz; j++) {
    const index = flatIndex(buffer, j);
    if (index <= previous) {
      throw new FormatError('COO', `entry ${j} is ${index === previous ? 'a duplicate' : 'out of row-major order'}`);
    }
    previous = index;
    if (buffer.values[j] === 0) throw new FormatError('COO', `values[${j}] is an explicit zero`);
  }
}

export function decodeCoo(buffer: CooBuffer): DenseArray {
  validateCoo(buffer);
  const values = new Int32Array(elementCount(buffer.dims));
  for (let j = 0; j < buffer.values.length; j++) values[flatIndex(buffer, j)] = buffer.values[j]!;
  return { dims: [...buffer.dims], values };
}
