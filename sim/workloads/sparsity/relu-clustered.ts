/**
 * ReLU-shaped activation sparsity with spatially clustered zeros: each (n, c) plane
 * gets a smooth random field (bilinear interpolation of a coarse grid of Gaussian
 * values, one grid cell per `cellSize` pixels, plus a little pixel noise), and the
 * exact round(density * n) largest field values across the tensor survive the
 * "ReLU". Zeros therefore come in blobs, as they do after ReLU on natural images,
 * and the density is exact.
 */
import { type Rng } from '../../golden/random.ts';
import { keepCount, topKMask } from './top-k.ts';

const FIELD_LEVELS = 1 << 16;
const PIXEL_NOISE = 0.15;

export interface ClusteredMaskOptions {
  /** Pixels per coarse grid cell; default max(2, round(side / 4)). */
  readonly cellSize?: number;
}

function smoothField(height: number, width: number, cellSize: number, rng: Rng, out: Float64Array, offset: number): void {
  const gridH = Math.ceil(height / cellSize) + 1;
  const gridW = Math.ceil(width / cellSize) + 1;
  const grid = new Float64Array(gridH * gridW);
  for (let i = 0; i < grid.length; i++) grid[i] = rng.nextNormal();
  for (let h = 0; h < height; h++) {
    const gy = h / cellSize;
    const y0 = Math.floor(gy);
    const ty = gy - y0;
    for (let w = 0; w < width; w++) {
      const gx = w / cellSize;
      const x0 = Math.floor(gx);
      const tx = gx - x0;
      const top = grid[y0 * gridW + x0]! * (1 - tx) + grid[y0 * gridW + x0 + 1]! * tx;
      const bottom = grid[(y0 + 1) * gridW + x0]! * (1 - tx) + grid[(y0 + 1) * gridW + x0 + 1]! * tx;
      out[offset + h * width + w] = top * (1 - ty) + bottom * ty + PIXEL_NOISE * rng.nextNormal();
    }
  }
}

/** Mask (1 = non-zero) of an N x C x H x W activation tensor. */
export function clusteredReluMask(
  dims: readonly [number, number, number, number],
  density: number,
  rng: Rng,
  options: ClusteredMaskOptions = {},
): Uint8Array {
  const [N, C, H, W] = dims;
  const plane = H * W;
  const cellSize = options.cellSize ?? Math.max(2, Math.round(Math.max(H, W) / 4));
  const field = new Float64Array(N * C * plane);
  for (let p = 0; p < N * C; p++) smoothField(H, W, cellSize, rng, field, p * plane);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of field) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  // Quantise the field so the exact integer top-K selection applies.
  const scores = new Int32Array(field.length);
  const span = hi > lo ? hi - lo : 1;
  for (let i = 0; i < field.length; i++) scores[i] = Math.floor(((field[i]! - lo) / span) * (FIELD_LEVELS - 1));
  return topKMask(scores, keepCount(field.length, density));
}
