import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gemmDense, gemmOuterProduct } from '../../sim/golden/gemm.ts';
import { AccumulatorOverflowError } from '../../sim/golden/fixed-point.ts';
import { encodeCsc, encodeCsr } from '../../sim/golden/formats/csr.ts';
import { Rng } from '../../sim/golden/random.ts';
import { sparseValues } from './arbitraries.ts';

const gemmCaseArb = fc
  .record({
    m: fc.integer({ min: 0, max: 9 }),
    k: fc.integer({ min: 0, max: 9 }),
    n: fc.integer({ min: 0, max: 9 }),
    seed: fc.nat(),
    densityA: fc.double({ min: 0, max: 1, noNaN: true }),
    densityB: fc.double({ min: 0, max: 1, noNaN: true }),
    bound: fc.constantFrom(7, 1 << 15),
  })
  .map(({ m, k, n, seed, densityA, densityB, bound }) => {
    const rng = new Rng(seed);
    return {
      a: { dims: [m, k], values: sparseValues(m * k, densityA, bound, rng) },
      b: { dims: [k, n], values: sparseValues(k * n, densityB, bound, rng) },
    };
  });

describe('GEMM', () => {
  it('outer-product sparse GEMM equals dense GEMM bit for bit, wrap-around included', () => {
    fc.assert(
      fc.property(gemmCaseArb, fc.constantFrom(12, 24, 32), ({ a, b }, accumulatorBits) => {
        const options = { format: { operandBits: 16, accumulatorBits }, onOverflow: 'wrap' as const };
        const dense = gemmDense(a, b, options);
        const sparse = gemmOuterProduct(encodeCsc(a), encodeCsr(b), options);
        expect(sparse.output).toEqual(dense);
      }),
      { numRuns: 300 },
    );
  });

  it('issues one product per pair of non-zeros sharing k', () => {
    fc.assert(
      fc.property(gemmCaseArb, ({ a, b }) => {
        const [M, K] = a.dims as [number, number];
        const N = b.dims[1]!;
        let expected = 0;
        for (let k = 0; k < K; k++) {
          let colNonZeros = 0;
          let rowNonZeros = 0;
          for (let i = 0; i < M; i++) if (a.values[i * K + k] !== 0) colNonZeros++;
          for (let j = 0; j < N; j++) if (b.values[k * N + j] !== 0) rowNonZeros++;
          expected += colNonZeros * rowNonZeros;
        }
        const { counts } = gemmOuterProduct(encodeCsc(a), encodeCsr(b), { onOverflow: 'wrap' });
        expect(counts).toEqual({ products: expected, valid: expected });
      }),
    );
  });

  it('computes a known product', () => {
    const a = { dims: [2, 3], values: Int32Array.of(1, 0, -2, 0, 3, 0) };
    const b = { dims: [3, 2], values: Int32Array.of(4, 5, 0, -1, 6, 0) };
    expect(Array.from(gemmDense(a, b).values)).toEqual([1 * 4 - 2 * 6, 5, 0, -3]);
  });

  it('refuses to wrap quietly and says where the sum overflowed', () => {
    const a = { dims: [1, 4], values: Int32Array.of(-32768, -32768, -32768, -32768) };
    const b = { dims: [4, 1], values: Int32Array.of(-32768, -32768, 0, 0) };
    expect(() => gemmDense(a, b)).toThrow(AccumulatorOverflowError);
    expect(() => gemmDense(a, b, { label: 'fc7' })).toThrow(/fc7: exact sum 2147483648 at C\[0\]\[0\] overflows the 32-bit accumulator/);
    expect(gemmDense(a, b, { onOverflow: 'wrap' }).values[0]).toBe(-2147483648);
  });

  it('rejects mismatched inner dimensions', () => {
    expect(() => gemmDense({ dims: [2, 3], values: new Int32Array(6) }, { dims: [2, 2], values: new Int32Array(4) })).toThrow(
      'A is 2x3 but B is 2x2; inner dimensions must match',
    );
  });
});
