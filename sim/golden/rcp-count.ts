/**
 * Redundant-Cartesian-product accounting for the three training convolutions of a
 * layer, given which operand elements are non-zero (any non-zero value counts).
 *
 * Three counters with one answer:
 *  - countRcpBruteForce enumerates every pair of non-zeros (small layers, the oracle);
 *  - countRcpFast is exact for the given zero patterns (no statistical assumption)
 *    and factorises the work: validity is a product of one test per spatial
 *    dimension, and the partner tensor can be summed over the channel that does
 *    not take part in the validity test before the spatial sums are taken;
 *  - countRcpDense is the closed form for dense operands.
 */
import {
  forwardOutputIndex,
  inputGradientOutputIndex,
  outputHeight,
  outputWidth,
  validateConvShape,
  weightGradientOutputIndex,
  activationDims,
  weightDims,
  outputDims,
  type ConvShape,
  type ProductCounts,
  type TrainingPass,
} from './conv-shape.ts';
import { elementCount } from './dense-array.ts';

/** Zero patterns of one layer's operands: any element that is not 0 is a non-zero. */
export interface ConvOperandPatterns {
  /** N x C x H x W */
  readonly activations: ArrayLike<number>;
  /** K x C x R x S */
  readonly weights: ArrayLike<number>;
  /** N x K x E x F */
  readonly outputGradients: ArrayLike<number>;
}

export type PassCounts = Record<TrainingPass, ProductCounts>;

function checkPatterns(shape: ConvShape, patterns: ConvOperandPatterns): void {
  validateConvShape(shape);
  const expect = (name: keyof ConvOperandPatterns, dims: readonly number[]) => {
    const n = elementCount(dims);
    if (patterns[name].length !== n) {
      throw new RangeError(`${name} pattern has ${patterns[name].length} elements; shape [${dims.join(', ')}] needs ${n}`);
    }
  };
  expect('activations', activationDims(shape));
  expect('weights', weightDims(shape));
  expect('outputGradients', outputDims(shape));
}

/** Positions of non-zeros per group of `groupSize` consecutive elements. */
function nonZeroPositions(values: ArrayLike<number>, groups: number, groupSize: number): Int32Array[] {
  const lists: Int32Array[] = [];
  for (let g = 0; g < groups; g++) {
    const found: number[] = [];
    for (let i = 0; i < groupSize; i++) if (values[g * groupSize + i] !== 0) found.push(i);
    lists.push(Int32Array.from(found));
  }
  return lists;
}

/** Enumerates every pair of non-zeros that share a reduction index and tests its output coordinate. */
export function countRcpBruteForce(shape: ConvShape, patterns: ConvOperandPatterns): PassCounts {
  checkPatterns(shape, patterns);
  const { batch: N, inChannels: C, outChannels: K, height: H, width: W, kernelHeight: R, kernelWidth: S, stride: st, padding: p } = shape;
  const E = outputHeight(shape);
  const F = outputWidth(shape);
  const xPlanes = nonZeroPositions(patterns.activations, N * C, H * W);
  const wPlanes = nonZeroPositions(patterns.weights, K * C, R * S);
  const gPlanes = nonZeroPositions(patterns.outputGradients, N * K, E * F);

  let fwd = 0;
  let fwdValid = 0;
  let igr = 0;
  let igrValid = 0;
  let wgr = 0;
  let wgrValid = 0;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      for (let k = 0; k < K; k++) {
        const xs = xPlanes[n * C + c]!;
        const ws = wPlanes[k * C + c]!;
        const gs = gPlanes[n * K + k]!;
        // forward: X[n,c,h,w] x W[k,c,r,s] -> e = (h + p - r) / stride
        for (const xi of xs) {
          const h = Math.floor(xi / W);
          const w = xi % W;
          for (const wi of ws) {
            const r = Math.floor(wi / S);
            const s = wi % S;
            fwd++;
            const te = h + p - r;
            const tf = w + p - s;
            if (te % st === 0 && tf % st === 0 && te >= 0 && tf >= 0 && te / st < E && tf / st < F) fwdValid++;
          }
        }
        // input gradient: dY[n,k,e,f] x W[k,c,r,s] -> h = e * stride + r - p
        for (const gi of gs) {
          const e = Math.floor(gi / F);
          const f = gi % F;
          for (const wi of ws) {
            const r = Math.floor(wi / S);
            const s = wi % S;
            igr++;
            const h = e * st + r - p;
            const w = f * st + s - p;
            if (h >= 0 && h < H && w >= 0 && w < W) igrValid++;
          }
        }
        // weight gradient: X[n,c,h,w] x dY[n,k,e,f] -> r = h + p - e * stride
        for (const xi of xs) {
          const h = Math.floor(xi / W);
          const w = xi % W;
          for (const gi of gs) {
            const e = Math.floor(gi / F);
            const f = gi % F;
            wgr++;
            const r = h + p - e * st;
            const s = w + p - f * st;
            if (r >= 0 && r < R && s >= 0 && s < S) wgrValid++;
          }
        }
      }
    }
  }
  return {
    forward: { products: fwd, valid: fwdValid },
    inputGradient: { products: igr, valid: igrValid },
    weightGradient: { products: wgr, valid: wgrValid },
  };
}

/** valid[a * B + b] = 1 when index a of one operand meets index b of the other in range. */
function validityMatrix(aSize: number, bSize: number, test: (a: number, b: number) => boolean): Uint8Array {
  const m = new Uint8Array(aSize * bSize);
  for (let a = 0; a < aSize; a++) for (let b = 0; b < bSize; b++) if (test(a, b)) m[a * bSize + b] = 1;
  return m;
}

/**
 * kernelReach[u * V + v] = sum over kernel taps (r, s) of counts[r, s] * rowValid(u, r) * colValid(v, s):
 * how many non-zero kernel taps a non-zero at spatial position (u, v) pairs with validly.
 */
function kernelReach(
  counts: Float64Array,
  R: number,
  S: number,
  rowValid: Uint8Array,
  U: number,
  colValid: Uint8Array,
  V: number,
): Float64Array {
  const partial = new Float64Array(U * S);
  for (let u = 0; u < U; u++) {
    for (let r = 0; r < R; r++) {
      if (rowValid[u * R + r] === 0) continue;
      for (let s = 0; s < S; s++) partial[u * S + s]! += counts[r * S + s]!;
    }
  }
  const reach = new Float64Array(U * V);
  for (let u = 0; u < U; u++) {
    for (let v = 0; v < V; v++) {
      let sum = 0;
      for (let s = 0; s < S; s++) if (colValid[v * S + s] === 1) sum += partial[u * S + s]!;
      reach[u * V + v] = sum;
    }
  }
  return reach;
}

/**
 * Counts for a pass that streams one operand's planes against the kernel
 * taps: forward (activation planes over C) and input gradient (output-gradient
 * planes over K). Per plane, the weights' non-zero taps over the partner
 * channels are counted once, and each non-zero position adds how many of them
 * it meets validly.
 */
function kernelPassCounts(
  shape: ConvShape,
  plane: { channels: number; partners: number; height: number; width: number; values: ArrayLike<number> },
  weights: ArrayLike<number>,
  weightBase: (channel: number, partner: number) => number,
  rowValid: Uint8Array,
  colValid: Uint8Array,
): ProductCounts {
  const { batch: N, kernelHeight: R, kernelWidth: S } = shape;
  const { channels, partners, height, width, values } = plane;
  let products = 0;
  let valid = 0;
  const tapCounts = new Float64Array(R * S);
  for (let ch = 0; ch < channels; ch++) {
    tapCounts.fill(0);
    let weightNonZeros = 0;
    for (let partner = 0; partner < partners; partner++) {
      const base = weightBase(ch, partner);
      for (let t = 0; t < R * S; t++) {
        if (weights[base + t] !== 0) {
          tapCounts[t]!++;
          weightNonZeros++;
        }
      }
    }
    if (weightNonZeros === 0) continue;
    const reach = kernelReach(tapCounts, R, S, rowValid, height, colValid, width);
    for (let n = 0; n < N; n++) {
      const base = (n * channels + ch) * height * width;
      let planeNonZeros = 0;
      for (let i = 0; i < height * width; i++) {
        if (values[base + i] !== 0) {
          planeNonZeros++;
          valid += reach[i]!;
        }
      }
      products += planeNonZeros * weightNonZeros;
    }
  }
  return { products, valid };
}

function forwardCounts(shape: ConvShape, x: ArrayLike<number>, wt: ArrayLike<number>): ProductCounts {
  const { inChannels: C, outChannels: K, height: H, width: W, kernelHeight: R, kernelWidth: S, stride, padding } = shape;
  const E = outputHeight(shape);
  const F = outputWidth(shape);
  const rowValid = validityMatrix(H, R, (h, r) => forwardOutputIndex(h, r, padding, stride, E) >= 0);
  const colValid = validityMatrix(W, S, (w, s) => forwardOutputIndex(w, s, padding, stride, F) >= 0);
  const plane = { channels: C, partners: K, height: H, width: W, values: x };
  return kernelPassCounts(shape, plane, wt, (c, k) => (k * C + c) * R * S, rowValid, colValid);
}

function inputGradientCounts(shape: ConvShape, dy: ArrayLike<number>, wt: ArrayLike<number>): ProductCounts {
  const { inChannels: C, outChannels: K, height: H, width: W, kernelHeight: R, kernelWidth: S, stride, padding } = shape;
  const E = outputHeight(shape);
  const F = outputWidth(shape);
  const rowValid = validityMatrix(E, R, (e, r) => inputGradientOutputIndex(e, r, padding, stride, H) >= 0);
  const colValid = validityMatrix(F, S, (f, s) => inputGradientOutputIndex(f, s, padding, stride, W) >= 0);
  const plane = { channels: K, partners: C, height: E, width: F, values: dy };
  return kernelPassCounts(shape, plane, wt, (k, c) => (k * C + c) * R * S, rowValid, colValid);
}

/** For each position u, the partner positions v that meet it validly, as CSR-style lists. */
function partnerLists(U: number, V: number, test: (u: number, v: number) => boolean): { ptr: Int32Array; idx: Int32Array } {
  const ptr = new Int32Array(U + 1);
  const idx: number[] = [];
  for (let u = 0; u < U; u++) {
    for (let v = 0; v < V; v++) if (test(u, v)) idx.push(v);
    ptr[u + 1] = idx.length;
  }
  return { ptr, idx: Int32Array.from(idx) };
}

function weightGradientCounts(shape: ConvShape, x: ArrayLike<number>, dy: ArrayLike<number>): ProductCounts {
  const { batch: N, inChannels: C, outChannels: K, height: H, width: W, kernelHeight: R, kernelWidth: S, stride, padding } = shape;
  const E = outputHeight(shape);
  const F = outputWidth(shape);
  const rowPartners = partnerLists(H, E, (h, e) => weightGradientOutputIndex(h, e, padding, stride, R) >= 0);
  const colPartners = partnerLists(W, F, (w, f) => weightGradientOutputIndex(w, f, padding, stride, S) >= 0);
  let products = 0;
  let valid = 0;
  const xCounts = new Float64Array(H * W);
  const gCounts = new Float64Array(E * F);
  const rowReach = new Float64Array(H * F);
  for (let n = 0; n < N; n++) {
    xCounts.fill(0);
    gCounts.fill(0);
    let xNonZeros = 0;
    let gNonZeros = 0;
    for (let c = 0; c < C; c++) {
      const base = (n * C + c) * H * W;
      for (let i = 0; i < H * W; i++) {
        if (x[base + i] !== 0) {
          xCounts[i]!++;
          xNonZeros++;
        }
      }
    }
    for (let k = 0; k < K; k++) {
      const base = (n * K + k) * E * F;
      for (let i = 0; i < E * F; i++) {
        if (dy[base + i] !== 0) {
          gCounts[i]!++;
          gNonZeros++;
        }
      }
    }
    products += xNonZeros * gNonZeros;
    rowReach.fill(0);
    for (let h = 0; h < H; h++) {
      for (let j = rowPartners.ptr[h]!; j < rowPartners.ptr[h + 1]!; j++) {
        const e = rowPartners.idx[j]!;
        for (let f = 0; f < F; f++) rowReach[h * F + f]! += gCounts[e * F + f]!;
      }
    }
    for (let h = 0; h < H; h++) {
      for (let w = 0; w < W; w++) {
        const count = xCounts[h * W + w]!;
        if (count === 0) continue;
        let partners = 0;
        for (let j = colPartners.ptr[w]!; j < colPartners.ptr[w + 1]!; j++) partners += rowReach[h * F + colPartners.idx[j]!]!;
        valid += count * partners;
      }
    }
  }
  return { products, valid };
}

/** Exact counts for the given zero patterns, in time linear in the tensor sizes. */
export function countRcpFast(shape: ConvShape, patterns: ConvOperandPatterns): PassCounts {
  checkPatterns(shape, patterns);
  return {
    forward: forwardCounts(shape, patterns.activations, patterns.weights),
    inputGradient: inputGradientCounts(shape, patterns.outputGradients, patterns.weights),
    weightGradient: weightGradientCounts(shape, patterns.activations, patterns.outputGradients),
  };
}

function countPairs(aSize: number, bSize: number, test: (a: number, b: number) => boolean): number {
  let count = 0;
  for (let a = 0; a < aSize; a++) for (let b = 0; b < bSize; b++) if (test(a, b)) count++;
  return count;
}

/** Closed form for all-non-zero operands: one count of valid index pairs per dimension, times the channels. */
export function countRcpDense(shape: ConvShape): PassCounts {
  validateConvShape(shape);
  const { batch: N, inChannels: C, outChannels: K, height: H, width: W, kernelHeight: R, kernelWidth: S, stride, padding } = shape;
  const E = outputHeight(shape);
  const F = outputWidth(shape);
  const channelPairs = N * C * K;
  const fwdRows = countPairs(H, R, (h, r) => forwardOutputIndex(h, r, padding, stride, E) >= 0);
  const fwdCols = countPairs(W, S, (w, s) => forwardOutputIndex(w, s, padding, stride, F) >= 0);
  const igrRows = countPairs(E, R, (e, r) => inputGradientOutputIndex(e, r, padding, stride, H) >= 0);
  const igrCols = countPairs(F, S, (f, s) => inputGradientOutputIndex(f, s, padding, stride, W) >= 0);
  const wgrRows = countPairs(H, E, (h, e) => weightGradientOutputIndex(h, e, padding, stride, R) >= 0);
  const wgrCols = countPairs(W, F, (w, f) => weightGradientOutputIndex(w, f, padding, stride, S) >= 0);
  return {
    forward: { products: channelPairs * H * W * R * S, valid: channelPairs * fwdRows * fwdCols },
    inputGradient: { products: channelPairs * E * F * R * S, valid: channelPairs * igrRows * igrCols },
    weightGradient: { products: channelPairs * H * W * E * F, valid: channelPairs * wgrRows * wgrCols },
  };
}
