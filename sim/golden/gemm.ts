/**
 * Matrix multiplication C = A * B with the datapath's number semantics, in two
 * orders: the textbook inner-product order, and the outer-product order the
 * hardware follows (for each k, column k of A times row k of B, all pairs).
 */
import { type DenseArray } from './dense-array.ts';
import { type ProductCounts } from './conv-shape.ts';
import { Accumulators, assertOperandsFit, type ComputeOptions } from './fixed-point.ts';
import { validateCsc, validateCsr, type CscBuffer, type CsrBuffer } from './formats/csr.ts';
import { assertOperand, resolveOptions } from './operand-check.ts';

function matrixDims(m: DenseArray, label: string): [number, number] {
  if (m.dims.length !== 2) throw new RangeError(`${label} must be a 2-D matrix, got dims [${m.dims.join(', ')}]`);
  return [m.dims[0]!, m.dims[1]!];
}

function describeCell(cols: number) {
  return (i: number) => `C[${Math.floor(i / cols)}][${i % cols}]`;
}

export function gemmDense(a: DenseArray, b: DenseArray, options?: ComputeOptions): DenseArray {
  const opts = resolveOptions(options, 'dense GEMM');
  const [M, K] = matrixDims(a, 'A');
  const [Kb, N] = matrixDims(b, 'B');
  if (K !== Kb) throw new RangeError(`A is ${M}x${K} but B is ${Kb}x${N}; inner dimensions must match`);
  assertOperand(a.values, a.dims, 'A', opts.format);
  assertOperand(b.values, b.dims, 'B', opts.format);
  const acc = new Accumulators(M * N, opts.format);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      for (let k = 0; k < K; k++) acc.add(i * N + j, a.values[i * K + k]! * b.values[k * N + j]!);
    }
  }
  return { dims: [M, N], values: acc.finish(opts.onOverflow, opts.label, describeCell(N)) };
}

export interface GemmOuterProductResult {
  readonly output: DenseArray;
  /** Every product of an untiled GEMM lands in C, so valid equals products here. */
  readonly counts: ProductCounts;
}

/** Sparse GEMM in outer-product order: A in CSC (its columns), B in CSR (its rows). */
export function gemmOuterProduct(a: CscBuffer, b: CsrBuffer, options?: ComputeOptions): GemmOuterProductResult {
  const opts = resolveOptions(options, 'outer-product GEMM');
  validateCsc(a);
  validateCsr(b);
  if (a.cols !== b.rows) {
    throw new RangeError(`A is ${a.rows}x${a.cols} but B is ${b.rows}x${b.cols}; inner dimensions must match`);
  }
  assertOperandsFit(a.values, opts.format.operandBits, 'A');
  assertOperandsFit(b.values, opts.format.operandBits, 'B');
  const M = a.rows;
  const N = b.cols;
  const acc = new Accumulators(M * N, opts.format);
  let products = 0;
  for (let k = 0; k < a.cols; k++) {
    const aStart = a.colPtr[k]!;
    const aEnd = a.colPtr[k + 1]!;
    const bStart = b.rowPtr[k]!;
    const bEnd = b.rowPtr[k + 1]!;
    products += (aEnd - aStart) * (bEnd - bStart);
    for (let p = aStart; p < aEnd; p++) {
      const row = a.rowIdx[p]! * N;
      const av = a.values[p]!;
      for (let q = bStart; q < bEnd; q++) acc.add(row + b.colIdx[q]!, av * b.values[q]!);
    }
  }
  const values = acc.finish(opts.onOverflow, opts.label, describeCell(N));
  return { output: { dims: [M, N], values }, counts: { products, valid: products } };
}
