import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DenseArray } from '../../sim/golden/dense-array.ts';
import {
  FormatError,
  decodeBitmap,
  decodeCoo,
  decodeCsc,
  decodeCsr,
  decodeCsrChw,
  decodeDense,
  decodeScnnRle,
  decodeZvc,
  encodeBitmap,
  encodeCoo,
  encodeCsc,
  encodeCsr,
  encodeCsrChw,
  encodeDense,
  encodeScnnRle,
  encodeZvc,
  uniformBlockLengths,
  validateBitmap,
  validateCoo,
  validateCsc,
  validateCsr,
  validateScnnRle,
  validateZvc,
  zvcFromWords,
  zvcToWords,
} from '../../sim/golden/formats/index.ts';
import { Rng } from '../../sim/golden/random.ts';
import { sparseValues } from './arbitraries.ts';

/** Tensors of rank 1-3 with any density, values of either sign, occasional long zero runs. */
const tensorArb = (rank: fc.Arbitrary<number>): fc.Arbitrary<DenseArray> =>
  fc
    .record({ rank, seed: fc.nat(), density: fc.oneof(fc.constant(0), fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })) })
    .chain(({ rank: r, seed, density }) =>
      fc.array(fc.integer({ min: 0, max: 9 }), { minLength: r, maxLength: r }).map((dims) => {
        const count = dims.reduce((a, b) => a * b, 1);
        return { dims, values: sparseValues(count, density, 1 << 15, new Rng(seed)) };
      }),
    );

const matrixArb = tensorArb(fc.constant(2));
const anyTensorArb = tensorArb(fc.integer({ min: 1, max: 3 }));
const streamArb = fc
  .record({ length: fc.integer({ min: 0, max: 200 }), seed: fc.nat(), density: fc.double({ min: 0, max: 1, noNaN: true }) })
  .map(({ length, seed, density }) => sparseValues(length, density, 1000, new Rng(seed)));

describe('round trips', () => {
  it('dense', () =>
    fc.assert(
      fc.property(anyTensorArb, (t) => {
        expect(decodeDense(encodeDense(t))).toEqual(t);
      }),
    ));
  it('bitmap', () =>
    fc.assert(
      fc.property(anyTensorArb, (t) => {
        const buffer = encodeBitmap(t);
        expect(decodeBitmap(buffer)).toEqual(t);
        expect(encodeBitmap(decodeBitmap(buffer))).toEqual(buffer);
      }),
    ));
  it('ZVC, through the record and through the word stream', () =>
    fc.assert(
      fc.property(streamArb, (s) => {
        const buffer = encodeZvc(s);
        expect(decodeZvc(buffer)).toEqual(s);
        expect(zvcFromWords(zvcToWords(buffer), s.length)).toEqual(buffer);
      }),
    ));
  it('CSR and CSC', () =>
    fc.assert(
      fc.property(matrixArb, (m) => {
        expect(decodeCsr(encodeCsr(m))).toEqual(m);
        expect(decodeCsc(encodeCsc(m))).toEqual(m);
      }),
    ));
  it('COO', () =>
    fc.assert(
      fc.property(anyTensorArb, (t) => {
        expect(decodeCoo(encodeCoo(t))).toEqual(t);
      }),
    ));
  it('SCNN run-length, with blocks that restart the zero runs', () =>
    fc.assert(
      fc.property(streamArb, fc.integer({ min: 1, max: 70 }), (s, blockLength) => {
        const buffer = encodeScnnRle(s, uniformBlockLengths(s.length, blockLength));
        expect(decodeScnnRle(buffer)).toEqual(s);
      }),
    ));
  it('CSR of a C x H x W tensor has row c*H + h', () => {
    const values = new Int32Array(2 * 3 * 4);
    values[(1 * 3 + 2) * 4 + 3] = 7; // c=1, h=2, w=3
    const csr = encodeCsrChw({ dims: [2, 3, 4], values });
    expect(Array.from(csr.rowPtr)).toEqual([0, 0, 0, 0, 0, 0, 1]);
    expect(Array.from(csr.colIdx)).toEqual([3]);
    expect(decodeCsrChw(csr, 2)).toEqual({ dims: [2, 3, 4], values });
  });
});

describe('layouts', () => {
  it('ZVC of a partial last window keeps a full mask word with the missing bits clear', () => {
    const stream = new Int32Array(35);
    stream[0] = 5;
    stream[31] = -1;
    stream[34] = 9;
    const buffer = encodeZvc(stream);
    expect(Array.from(buffer.masks)).toEqual([0x80000001, 0b100]);
    expect(Array.from(zvcToWords(buffer))).toEqual([0x80000001, 5, 0xffffffff, 0b100, 9]);
  });

  it('SCNN breaks a run of 40 zeros with placeholders of 16 zeros each', () => {
    const stream = new Int32Array(41);
    stream[40] = 3;
    const buffer = encodeScnnRle(stream, [41]);
    expect(Array.from(buffer.values)).toEqual([0, 0, 3]);
    expect(Array.from(buffer.zeroRuns)).toEqual([15, 15, 8]);
  });

  it('COO of a C x H x W tensor lists (channel, row, column)', () => {
    const values = new Int32Array(2 * 2 * 3);
    values[(1 * 2 + 0) * 3 + 2] = -4;
    const coo = encodeCoo({ dims: [2, 2, 3], values });
    expect(coo.coords.map((a) => Array.from(a))).toEqual([[1], [0], [2]]);
  });
});

describe('corrupted buffers are rejected with the specific error', () => {
  const matrix: DenseArray = { dims: [3, 4], values: Int32Array.of(0, 1, 0, 2, 0, 0, 0, 0, 3, 0, 4, 0) };
  const stream = Int32Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? i + 1 : 0));

  const cases: Array<[string, () => void, RegExp]> = [
    ['bitmap with a stray bit past the end', () => {
      const b = encodeBitmap(matrix);
      b.mask[0] = (b.mask[0]! | (1 << 20)) >>> 0;
      validateBitmap(b);
    }, /mask bit 20 is set but the tensor has only 12 elements/],
    ['bitmap with one value too few', () => {
      const b = encodeBitmap(matrix);
      validateBitmap({ ...b, values: b.values.subarray(1) });
    }, /mask marks 4 non-zeros but values holds 3/],
    ['ZVC with a stored zero', () => {
      const b = encodeZvc(stream);
      b.values[2] = 0;
      validateZvc(b);
    }, /packed value 2 is zero/],
    ['ZVC with a bit set beyond the stream end', () => {
      const b = encodeZvc(stream);
      b.masks[1] = (b.masks[1]! | (1 << 31)) >>> 0;
      validateZvc(b);
    }, /mask bit 31 of the last window is set but the stream ends at value 40/],
    ['ZVC word stream cut short', () => {
      zvcFromWords(zvcToWords(encodeZvc(stream)).subarray(0, 5), 40);
    }, /window 0 announces 11 non-zeros but the stream ends first/],
    ['CSR with decreasing row pointers', () => {
      const b = encodeCsr(matrix);
      b.rowPtr[1] = 3;
      validateCsr(b);
    }, /rowPtr decreases at row 1 \(3 then 2\)/],
    ['CSR with a column index out of range', () => {
      const b = encodeCsr(matrix);
      b.colIdx[0] = 9;
      validateCsr(b);
    }, /colIdx\[0\] = 9 is outside \[0, 4\) in row 0/],
    ['CSR with unsorted columns', () => {
      const b = encodeCsr(matrix);
      b.colIdx[1] = 0;
      validateCsr(b);
    }, /colIdx not strictly increasing in row 0 \(1 then 0\)/],
    ['CSC with a wrong final pointer', () => {
      const b = encodeCsc(matrix);
      b.colPtr[4] = 7;
      validateCsc(b);
    }, /colPtr\[4\] is 7 but 4 values are stored/],
    ['COO out of order', () => {
      const b = encodeCoo(matrix);
      b.coords[0]![0] = 2;
      validateCoo(b);
    }, /entry 1 is out of row-major order/],
    ['COO with a duplicate', () => {
      const b = encodeCoo(matrix);
      b.coords[1]![1] = 1;
      validateCoo(b);
    }, /entry 1 is a duplicate/],
    ['SCNN run longer than 4 bits', () => {
      const b = encodeScnnRle(stream, [40]);
      b.zeroRuns[1] = 16;
      validateScnnRle(b);
    }, /zeroRuns\[1\] = 16 exceeds the 4-bit maximum 15/],
    ['SCNN entries overrunning their block', () => {
      const b = encodeScnnRle(stream, [20, 20]);
      b.zeroRuns[0] = 15;
      b.zeroRuns[1] = 15;
      validateScnnRle(b);
    }, /block 0 entries cover \d+ values but the block holds 20/],
    ['SCNN placeholder with a short run', () => {
      const b = encodeScnnRle(stream, [40]);
      b.values[0] = 0;
      validateScnnRle(b);
    }, /placeholder entry 0 has run 0; placeholders carry run 15/],
  ];

  for (const [name, corrupt, message] of cases) {
    it(name, () => {
      expect(corrupt).toThrow(FormatError);
      expect(corrupt).toThrow(message);
    });
  }

  it('random single-field corruption of a CSR buffer is either rejected or still decodes to a valid matrix', () => {
    fc.assert(
      fc.property(matrixArb, fc.nat(), fc.integer({ min: -3, max: 12 }), (m, at, value) => {
        const b = encodeCsr(m);
        const fields = [b.rowPtr, b.colIdx, b.values].filter((f) => f.length > 0);
        const field = fields[at % fields.length]!;
        field[at % field.length] = value;
        let decoded: DenseArray | undefined;
        try {
          decoded = decodeCsr(b);
        } catch (error) {
          expect(error).toBeInstanceOf(FormatError);
          return;
        }
        expect(encodeCsr(decoded)).toEqual(b);
      }),
    );
  });

  it('decoding refuses a malformed buffer instead of returning garbage', () => {
    const b = encodeCsr(matrix);
    b.rowPtr[3] = 5;
    expect(() => decodeCsr(b)).toThrow(/malformed CSR buffer: rowPtr\[3\] is 5 but 4 values are stored/);
  });
});

describe('encoders refuse inconsistent tensors as strictly as the decoders refuse buffers', () => {
  const tensor = (dims: number[], values: number[]): DenseArray => ({ dims, values: Int32Array.from(values) });

  it('CSR and CSC refuse extra values instead of dropping them, and missing ones instead of storing zeros', () => {
    expect(() => encodeCsr(tensor([2, 2], [1, 2, 3, 4, 5]))).toThrow('encodeCsr: 5 values given for dims [2, 2], which hold 4');
    expect(() => encodeCsr(tensor([2, 2], [1, 2, 3]))).toThrow('encodeCsr: 3 values given for dims [2, 2], which hold 4');
    expect(() => encodeCsc(tensor([2, 2], [1, 2, 3]))).toThrow('encodeCsc: 3 values given for dims [2, 2], which hold 4');
    expect(() => encodeCsrChw(tensor([1, 2, 2], [1, 2, 3]))).toThrow('encodeCsrChw: 3 values given');
  });

  it('COO refuses NaN dimensions and a value count that would repeat a coordinate', () => {
    expect(() => encodeCoo(tensor([NaN, 2], [1, 2]))).toThrow('encodeCoo: dimension 0 is NaN');
    expect(() => encodeCoo(tensor([2], [1, 2, 3]))).toThrow('encodeCoo: 3 values given for dims [2], which hold 2');
  });

  it('bitmap refuses values past the end of the tensor instead of setting mask bits there', () => {
    expect(() => encodeBitmap(tensor([3], [1, 2, 3, 4]))).toThrow('encodeBitmap: 4 values given for dims [3], which hold 3');
  });

  it('a plain array is refused where an Int32Array is needed', () => {
    expect(() => encodeBitmap({ dims: [2], values: [1, 2] as unknown as Int32Array })).toThrow('encodeBitmap: values must be an Int32Array');
    expect(() => encodeZvc([1, 0] as unknown as Int32Array)).toThrow('encodeZvc: the stream must be an Int32Array');
    expect(() => encodeScnnRle([1, 0] as unknown as Int32Array, [2])).toThrow('encodeScnnRle: the stream must be an Int32Array');
  });

  it('uniformBlockLengths refuses a length that is not a non-negative integer', () => {
    expect(() => uniformBlockLengths(NaN, 4)).toThrow('stream length must be a non-negative integer, got NaN');
    expect(() => uniformBlockLengths(-1, 4)).toThrow('stream length must be a non-negative integer, got -1');
    expect(() => uniformBlockLengths(2.5, 4)).toThrow('got 2.5');
  });
});
