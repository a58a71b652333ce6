/**
 * The three training convolutions computed the way an SCNN-like outer-product
 * array does: for each shared reduction index, every non-zero of one operand is
 * multiplied with every non-zero of the other (the Cartesian product), each
 * product's output coordinate is computed, and products that land outside the
 * output tensor (RCPs) are dropped. Returns the result and the product counts,
 * which makes this the brute-force reference for RCP accounting as well.
 */
import {
  activationDims,
  forwardOutputIndex,
  inputGradientOutputIndex,
  outputDims,
  outputHeight,
  outputWidth,
  validateConvShape,
  weightDims,
  type ConvShape,
  type ProductCounts,
} from './conv-shape.ts';
import { Accumulators, type ComputeOptions } from './fixed-point.ts';
import { listNonZeros, weightsByInputChannel } from './nonzero-lists.ts';
import { assertOperand, describeIndex4, resolveOptions } from './operand-check.ts';

export interface OuterProductResult {
  readonly output: Int32Array;
  readonly counts: ProductCounts;
}

/** Forward: per (n, c), non-zeros of X[n,c,:,:] x non-zeros of W[:,c,:,:]; output (n, k, e, f). */
export function convForwardOuterProduct(
  shape: ConvShape,
  activations: Int32Array,
  weights: Int32Array,
  options?: ComputeOptions,
): OuterProductResult {
  const opts = resolveOptions(options, 'forward convolution (outer product)');
  validateConvShape(shape, opts.label);
  assertOperand(activations, activationDims(shape), 'activations', opts.format);
  assertOperand(weights, weightDims(shape), 'weights', opts.format);
  const { batch: N, inChannels: C, outChannels: K, height: H, width: W, kernelHeight: R, kernelWidth: S, stride, padding } = shape;
  const E = outputHeight(shape);
  const F = outputWidth(shape);
  const xs = listNonZeros(activations, N * C, 1, H, W);
  const ws = listNonZeros(weightsByInputChannel(weights, K, C, R * S), C, K, R, S);
  const acc = new Accumulators(N * K * E * F, opts.format);
  let products = 0;
  let valid = 0;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const xStart = xs.ptr[n * C + c]!;
      const xEnd = xs.ptr[n * C + c + 1]!;
      const wStart = ws.ptr[c]!;
      const wEnd = ws.ptr[c + 1]!;
      products += (xEnd - xStart) * (wEnd - wStart);
      for (let i = xStart; i < xEnd; i++) {
        const h = xs.i1[i]!;
        const w = xs.i2[i]!;
        const xv = xs.values[i]!;
        for (let j = wStart; j < wEnd; j++) {
          const e = forwardOutputIndex(h, ws.i1[j]!, padding, stride, E);
          if (e < 0) continue;
          const f = forwardOutputIndex(w, ws.i2[j]!, padding, stride, F);
          if (f < 0) continue;
          valid++;
          acc.add(((n * K + ws.i0[j]!) * E + e) * F + f, xv * ws.values[j]!);
        }
      }
    }
  }
  const output = acc.finish(opts.onOverflow, opts.label, (i) => `output ${describeIndex4(i, outputDims(shape), 'nkef')}`);
  return { output, counts: { products, valid } };
}

/** Input gradient: per (n, k), non-zeros of dY[n,k,:,:] x non-zeros of W[k,:,:,:]; output (n, c, h, w). */
export function convInputGradientOuterProduct(
  shape: ConvShape,
  outputGradients: Int32Array,
  weights: Int32Array,
  options?: ComputeOptions,
): OuterProductResult {
  const opts = resolveOptions(options, 'input-gradient convolution (outer product)');
  validateConvShape(shape, opts.label);
  assertOperand(outputGradients, outputDims(shape), 'outputGradients', opts.format);
  assertOperand(weights, weightDims(shape), 'weights', opts.format);
  const { batch: N, inChannels: C, outChannels: K, height: H, width: W, kernelHeight: R, kernelWidth: S, stride, padding } = shape;
  const E = outputHeight(shape);
  const F = outputWidth(shape);
  const dys = listNonZeros(outputGradients, N * K, 1, E, F);
  const ws = listNonZeros(weights, K, C, R, S);
  const acc = new Accumulators(N * C * H * W, opts.format);
  let products = 0;
  let valid = 0;
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < K; k++) {
      const gStart = dys.ptr[n * K + k]!;
      const gEnd = dys.ptr[n * K + k + 1]!;
      const wStart = ws.ptr[k]!;
      const wEnd = ws.ptr[k + 1]!;
      products += (gEnd - gStart) * (wEnd - wStart);
      for (let i = gStart; i < gEnd; i++) {
        const e = dys.i1[i]!;
        const f = dys.i2[i]!;
        const gv = dys.values[i]!;
        for (let j = wStart; j < wEnd; j++) {
          const h = inputGradientOutputIndex(e, ws.i1[j]!, padding, stride, H);
          if (h < 0) continue;
          const w = inputGradientOutputIndex(f, ws.i2[j]!, padding, stride, W);
          if (w < 0) continue;
          valid++;
          acc.add(((n * C + ws.i0[j]!) * H + h) * W + w, gv * ws.values[j]!);
        }
      }
    }
  }
  const output = acc.finish(opts.onOverflow, opts.label, (i) => `input gradient ${describeIndex4(i, activationDims(shape), 'nchw')}`);
  return { output, counts: { products, valid } };
}

/**
 * Weight gradient: per sample n, non-zeros of X[n,:,:,:] x non-zeros of dY[n,:,:,:];
 * output (k, c, r, s), accumulated over the whole batch.
 */
export function convWeightGradientOuterProduct(
  shape: ConvShape,
  activations: Int32Array,
  outputGradients: Int32Array,
  options?: ComputeOptions,
): OuterProductResult {
  const opts = resolveOptions(options, 'weight-gradient convolution (outer product)');
  validateConvShape(shape, opts.label);
  assertOperand(activations, activationDims(shape), 'activations', opts.format);
  assertOperand(outputGradients, outputDims(shape), 'outputGradients', opts.format);
  const { batch: N, inChannels: C, outChannels: K, height: H, width: W, kernelHeight: R, kernelWidth: S, stride, padding } = shape;
  const E = outputHeight(shape);
  const F = outputWidth(shape);
  const xs = listNonZeros(activations, N, C, H, W);
  const dys = listNonZeros(outputGradients, N, K, E, F);
  const acc = new Accumulators(K * C * R * S, opts.format);
  let products = 0;
  let valid = 0;
  for (let n = 0; n < N; n++) {
    const xStart = xs.ptr[n]!;
    const xEnd = xs.ptr[n + 1]!;
    const gStart = dys.ptr[n]!;
    const gEnd = dys.ptr[n + 1]!;
    products += (xEnd - xStart) * (gEnd - gStart);
    const xc = xs.i0;
    const xh = xs.i1;
    const xw = xs.i2;
    const xv = xs.values;
    for (let j = gStart; j < gEnd; j++) {
      const k = dys.i0[j]!;
      const gv = dys.values[j]!;
      // r = h + p - e*stride and s = w + p - f*stride (weightGradientOutputIndex), hoisted for the hot loop.
      const rOffset = padding - dys.i1[j]! * stride;
      const sOffset = padding - dys.i2[j]! * stride;
      for (let i = xStart; i < xEnd; i++) {
        const r = xh[i]! + rOffset;
        if (r < 0 || r >= R) continue;
        const s = xw[i]! + sOffset;
        if (s < 0 || s >= S) continue;
        valid++;
        acc.add(((k * C + xc[i]!) * R + r) * S + s, xv[i]! * gv);
      }
    }
  }
  const output = acc.finish(opts.onOverflow, opts.label, (i) => `weight gradient ${describeIndex4(i, weightDims(shape), 'kcrs')}`);
  return { output, counts: { products, valid } };
}
