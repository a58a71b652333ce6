/**
 * LSTM-style structured gate-gradient sparsity (Zhu et al., 2018): whole rows or
 * whole columns of a gradient matrix are zeroed. round(sparsity * lines) lines,
 * chosen uniformly without replacement, are zeroed; every other element stays
 * non-zero, so the density is within 1 / (2 * lines) of the target.
 */
import { type Rng } from '../../golden/random.ts';
import { keepCount } from './top-k.ts';

export type LineAxis = 'rows' | 'columns';

/** Which lines are zeroed: a Uint8Array over the lines, 1 = zeroed. */
export function pickZeroLines(lines: number, sparsity: number, rng: Rng): Uint8Array {
  const order = Array.from({ length: lines }, (_, i) => i);
  const zeroed = new Uint8Array(lines);
  const count = keepCount(lines, sparsity);
  for (let i = 0; i < count; i++) {
    const j = i + rng.nextInt(lines - i);
    [order[i], order[j]] = [order[j]!, order[i]!];
    zeroed[order[i]!] = 1;
  }
  return zeroed;
}

/** Mask (1 = non-zero) of a rows x cols matrix with whole lines zeroed. */
export function structuredLineMask(rows: number, cols: number, sparsity: number, axis: LineAxis, rng: Rng): Uint8Array {
  const zeroed = pickZeroLines(axis === 'rows' ? rows : cols, sparsity, rng);
  const mask = new Uint8Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) if (zeroed[axis === 'rows' ? r : c] === 0) mask[r * cols + c] = 1;
  }
  return mask;
}
