/**
 * Compressed sparse row and column formats of a 2-D matrix. Canonical form: indices
 * strictly increasing inside each row (column), and no stored zeros, so a buffer
 * can be compared with an RTL result field by field.
 *
 * A C x H x W activation tensor is the (C*H) x W matrix whose row c*H + h holds
 * the non-zeros of channel c, image row h: the (channel, row, column) output of the
 * compaction engine with its row pointers.
 */
import { assertTensor, type DenseArray } from '../dense-array.ts';
import { FormatError, assertIntegerArray, assertSize } from './format-error.ts';

export interface CsrBuffer {
  readonly rows: number;
  readonly cols: number;
  /** rows + 1 offsets into colIdx/values; rowPtr[0] = 0, rowPtr[rows] = nnz. */
  readonly rowPtr: Int32Array;
  readonly colIdx: Int32Array;
  readonly values: Int32Array;
}

export interface CscBuffer {
  readonly rows: number;
  readonly cols: number;
  /** cols + 1 offsets into rowIdx/values; colPtr[0] = 0, colPtr[cols] = nnz. */
  readonly colPtr: Int32Array;
  readonly rowIdx: Int32Array;
  readonly values: Int32Array;
}

function matrixShape(format: string, tensor: DenseArray): [rows: number, cols: number] {
  assertTensor(tensor, `encode${format[0]}${format.slice(1).toLowerCase()}`);
  if (tensor.dims.length !== 2) {
    throw new RangeError(
      `${format} encodes a 2-D matrix but dims are [${tensor.dims.join(', ')}]; reshape first (see encodeCsrChw)`,
    );
  }
  return [tensor.dims[0]!, tensor.dims[1]!];
}

/** Compress along the major axis: `major` lines of `minor` elements each. */
function compress(
  values: Int32Array,
  major: number,
  minor: number,
  at: (line: number, position: number) => number,
): { pointers: Int32Array; indices: Int32Array; packed: Int32Array } {
  const pointers = new Int32Array(major + 1);
  let nnz = 0;
  for (let line = 0; line < major; line++) {
    for (let pos = 0; pos < minor; pos++) if (values[at(line, pos)] !== 0) nnz++;
    pointers[line + 1] = nnz;
  }
  const indices = new Int32Array(nnz);
  const packed = new Int32Array(nnz);
  let next = 0;
  for (let line = 0; line < major; line++) {
    for (let pos = 0; pos < minor; pos++) {
      const v = values[at(line, pos)]!;
      if (v !== 0) {
        indices[next] = pos;
        packed[next++] = v;
      }
    }
  }
  return { pointers, indices, packed };
}

function validateCompressed(
  format: string,
  names: { pointer: string; index: string; line: string },
  major: number,
  minor: number,
  pointers: Int32Array,
  indices: Int32Array,
  values: Int32Array,
): void {
  assertIntegerArray(format, names.pointer, pointers, 'Int32Array');
  assertIntegerArray(format, names.index, indices, 'Int32Array');
  assertIntegerArray(format, 'values', values, 'Int32Array');
  if (pointers.length !== major + 1) {
    throw new FormatError(format, `${names.pointer} has ${pointers.length} entries; expected ${major + 1}`);
  }
  if (pointers[0] !== 0) throw new FormatError(format, `${names.pointer}[0] is ${pointers[0]}; it must be 0`);
  if (indices.length !== values.length) {
    throw new FormatError(format, `${names.index} has ${indices.length} entries but values has ${values.length}`);
  }
  if (pointers[major] !== values.length) {
    throw new FormatError(
      format,
      `${names.pointer}[${major}] is ${pointers[major]} but ${values.length} values are stored`,
    );
  }
  for (let line = 0; line < major; line++) {
    if (pointers[line + 1]! < pointers[line]!) {
      throw new FormatError(
        format,
        `${names.pointer} decreases at ${names.line} ${line} (${pointers[line]} then ${pointers[line + 1]})`,
      );
    }
  }
  for (let line = 0; line < major; line++) {
    const start = pointers[line]!;
    const end = pointers[line + 1]!;
    for (let j = start; j < end; j++) {
      const idx = indices[j]!;
      if (idx < 0 || idx >= minor) {
        throw new FormatError(format, `${names.index}[${j}] = ${idx} is outside [0, ${minor}) in ${names.line} ${line}`);
      }
      if (j > start && idx <= indices[j - 1]!) {
        throw new FormatError(
          format,
          `${names.index} not strictly increasing in ${names.line} ${line} (${indices[j - 1]} then ${idx})`,
        );
      }
      if (values[j] === 0) throw new FormatError(format, `values[${j}] is an explicit zero`);
    }
  }
}

export function encodeCsr(matrix: DenseArray): CsrBuffer {
  const [rows, cols] = matrixShape('CSR', matrix);
  const { pointers, indices, packed } = compress(matrix.values, rows, cols, (r, c) => r * cols + c);
  return { rows, cols, rowPtr: pointers, colIdx: indices, values: packed };
}

export function validateCsr(buffer: CsrBuffer): void {
  const rows = assertSize('CSR', 'rows', buffer.rows);
  const cols = assertSize('CSR', 'cols', buffer.cols);
  validateCompressed(
    'CSR',
    { pointer: 'rowPtr', index: 'colIdx', line: 'row' },
    rows,
    cols,
    buffer.rowPtr,
    buffer.colIdx,
    buffer.values,
  );
}

export function decodeCsr(buffer: CsrBuffer): DenseArray {
  validateCsr(buffer);
  const values = new Int32Array(buffer.rows * buffer.cols);
  for (let r = 0; r < buffer.rows; r++) {
    for (let j = buffer.rowPtr[r]!; j < buffer.rowPtr[r + 1]!; j++) {
      values[r * buffer.cols + buffer.colIdx[j]!] = buffer.values[j]!;
    }
  }
  return { dims: [buffer.rows, buffer.cols], values };
}

export function encodeCsc(matrix: DenseArray): CscBuffer {
  const [rows, cols] = matrixShape('CSC', matrix);
  const { pointers, indices, packed } = compress(matrix.values, cols, rows, (c, r) => r * cols + c);
  return { rows, cols, colPtr: pointers, rowIdx: indices, values: packed };
}

export function validateCsc(buffer: CscBuffer): void {
  const rows = assertSize('CSC', 'rows', buffer.rows);
  const cols = assertSize('CSC', 'cols', buffer.cols);
  validateCompressed(
    'CSC',
    { pointer: 'colPtr', index: 'rowIdx', line: 'column' },
    cols,
    rows,
    buffer.colPtr,
    buffer.rowIdx,
    buffer.values,
  );
}

export function decodeCsc(buffer: CscBuffer): DenseArray {
  validateCsc(buffer);
  const values = new Int32Array(buffer.rows * buffer.cols);
  for (let c = 0; c < buffer.cols; c++) {
    for (let j = buffer.colPtr[c]!; j < buffer.colPtr[c + 1]!; j++) {
      values[buffer.rowIdx[j]! * buffer.cols + c] = buffer.values[j]!;
    }
  }
  return { dims: [buffer.rows, buffer.cols], values };
}

/** CSR of a C x H x W tensor viewed as the (C*H) x W matrix: row index = c*H + h. */
export function encodeCsrChw(tensor: DenseArray): CsrBuffer {
  if (tensor.dims.length !== 3) {
    throw new RangeError(`encodeCsrChw needs dims [C, H, W], got [${tensor.dims.join(', ')}]`);
  }
  assertTensor(tensor, 'encodeCsrChw');
  const [channels, height, width] = tensor.dims as [number, number, number];
  return encodeCsr({ dims: [channels * height, width], values: tensor.values });
}

/** Inverse of encodeCsrChw; `channels` restores the C x H split of the rows. */
export function decodeCsrChw(buffer: CsrBuffer, channels: number): DenseArray {
  if (!Number.isInteger(channels) || channels <= 0 || buffer.rows % channels !== 0) {
    throw new FormatError('CSR', `${buffer.rows} rows cannot be split into ${channels} channels of equal height`);
  }
  const matrix = decodeCsr(buffer);
  return { dims: [channels, buffer.rows / channels, buffer.cols], values: matrix.values };
}
