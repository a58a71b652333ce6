/**
 * Uniform i.i.d. sparsity: each element is non-zero with probability `density`,
 * independently. The measured density is binomial around the target: within
 * 5 * sqrt(density * (1 - density) / n) except with probability below 1e-6.
 */
import { type Rng } from '../../golden/random.ts';

export function uniformMask(count: number, density: number, rng: Rng): Uint8Array {
  const mask = new Uint8Array(count);
  if (density >= 1) return mask.fill(1);
  for (let i = 0; i < count; i++) if (rng.nextFloat() < density) mask[i] = 1;
  return mask;
}

/** The tolerance stated above, for tests and reports. */
export function uniformDensityTolerance(count: number, density: number): number {
  return 5 * Math.sqrt((density * (1 - density)) / count) + 1 / count;
}
