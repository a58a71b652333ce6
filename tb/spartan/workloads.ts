import { makeDense, type DenseArray } from '../../sim/golden/dense-array.ts';
import { Rng, deriveSeed } from '../../sim/golden/random.ts';
import { fillValues } from '../../sim/workloads/sparsity/operand-values.ts';
import { clusteredReluMask } from '../../sim/workloads/sparsity/relu-clustered.ts';
import { uniformMask } from '../../sim/workloads/sparsity/uniform.ts';

/** Fractions of zeros every front-end testbench and benchmark sweeps. */
export const ZERO_FRACTIONS: readonly number[] = [0, 0.01, 0.1, 0.5, 0.9, 0.99, 1];

export type TensorShape = 'uniform' | 'relu';

/**
 * A seeded C x H x W tensor with the given fraction of zeros: i.i.d. signed
 * values (uniform), or ReLU-shaped, non-negative with the zeros in spatial
 * blobs and the exact density.
 */
export function frontEndTensor(
  dims: readonly [number, number, number],
  zeroFraction: number,
  shape: TensorShape,
  elementWidth: number,
  seed: number,
): DenseArray {
  const rng = new Rng(deriveSeed(seed, 'frontend-tensor', shape, zeroFraction, dims.join('x')));
  const count = dims[0] * dims[1] * dims[2];
  const density = 1 - zeroFraction;
  const mask = shape === 'uniform' ? uniformMask(count, density, rng) : clusteredReluMask([1, dims[0], dims[1], dims[2]], density, rng);
  const values = fillValues(count, shape === 'uniform' ? 'gradient' : 'activation', elementWidth, rng, mask);
  return makeDense(dims, values);
}

export function zeroFractionOf(values: ArrayLike<number>): number {
  let zeros = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === 0) zeros++;
  return values.length === 0 ? 0 : zeros / values.length;
}

export function percent(x: number): string {
  return `${(100 * x).toFixed(x > 0 && x < 0.1 ? 1 : 0)}%`;
}
