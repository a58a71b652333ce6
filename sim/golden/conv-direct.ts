/**
 * Dense direct convolutions of one training step: every output element gathers
 * its own inputs (padding taps skipped). The oracle the outer-product version and
 * the RTL are checked against.
 */
import {
  activationDims,
  outputDims,
  outputHeight,
  outputWidth,
  validateConvShape,
  weightDims,
  type ConvShape,
  type TrainingPass,
} from './conv-shape.ts';
import { Accumulators, type ComputeOptions, type NumberFormat } from './fixed-point.ts';
import { assertOperand, describeIndex4, resolveOptions } from './operand-check.ts';

/** Receives every product with the flat index of the output it belongs to. */
export interface ProductSink {
  add(outputIndex: number, product: number): void;
}

/** Operand and result layouts of each pass, in the order the pass takes its operands. */
export const PASS_LAYOUT: Record<
  TrainingPass,
  { operands: [string, string]; dims: (s: ConvShape) => [number[], number[], number[]]; resultNames: string; resultLabel: string }
> = {
  forward: { operands: ['activations', 'weights'], dims: (s) => [activationDims(s), weightDims(s), outputDims(s)], resultNames: 'nkef', resultLabel: 'output' },
  inputGradient: { operands: ['outputGradients', 'weights'], dims: (s) => [outputDims(s), weightDims(s), activationDims(s)], resultNames: 'nchw', resultLabel: 'input gradient' },
  weightGradient: { operands: ['activations', 'outputGradients'], dims: (s) => [activationDims(s), outputDims(s), weightDims(s)], resultNames: 'kcrs', resultLabel: 'weight gradient' },
};

/** Checks both operands of `pass` against the shape and format. */
export function checkPassOperands(pass: TrainingPass, shape: ConvShape, first: Int32Array, second: Int32Array, format: NumberFormat, label: string): void {
  validateConvShape(shape, label);
  const [firstDims, secondDims] = PASS_LAYOUT[pass].dims(shape);
  assertOperand(first, firstDims, PASS_LAYOUT[pass].operands[0], format);
  assertOperand(second, secondDims, PASS_LAYOUT[pass].operands[1], format);
}

/** Feeds every product of the direct (gather) form of `pass` to `sink`. Operands are assumed checked. */
export function convDirectInto(pass: TrainingPass, shape: ConvShape, first: Int32Array, second: Int32Array, sink: ProductSink): void {
  const { batch: N, inChannels: C, outChannels: K, height: H, width: W, kernelHeight: R, kernelWidth: S, stride, padding } = shape;
  const E = outputHeight(shape);
  const F = outputWidth(shape);
  if (pass === 'forward') {
    // Y[n,k,e,f] = sum over c,r,s of X[n,c,e*stride+r-p, f*stride+s-p] * W[k,c,r,s]
    const [x, w] = [first, second];
    for (let n = 0; n < N; n++)
      for (let k = 0; k < K; k++)
        for (let e = 0; e < E; e++)
          for (let f = 0; f < F; f++) {
            const out = ((n * K + k) * E + e) * F + f;
            for (let c = 0; c < C; c++)
              for (let r = 0; r < R; r++) {
                const h = e * stride + r - padding;
                if (h < 0 || h >= H) continue;
                for (let s = 0; s < S; s++) {
                  const col = f * stride + s - padding;
                  if (col < 0 || col >= W) continue;
                  sink.add(out, x[((n * C + c) * H + h) * W + col]! * w[((k * C + c) * R + r) * S + s]!);
                }
              }
          }
  } else if (pass === 'inputGradient') {
    // dX[n,c,h,w] = sum of dY[n,k,e,f] * W[k,c,r,s] over k,r,s with e*stride+r-p = h, f*stride+s-p = w
    const [dy, w] = [first, second];
    for (let n = 0; n < N; n++)
      for (let c = 0; c < C; c++)
        for (let h = 0; h < H; h++)
          for (let col = 0; col < W; col++) {
            const out = ((n * C + c) * H + h) * W + col;
            for (let k = 0; k < K; k++)
              for (let r = 0; r < R; r++) {
                const te = h + padding - r;
                if (te < 0 || te % stride !== 0 || te / stride >= E) continue;
                const e = te / stride;
                for (let s = 0; s < S; s++) {
                  const tf = col + padding - s;
                  if (tf < 0 || tf % stride !== 0 || tf / stride >= F) continue;
                  sink.add(out, dy[((n * K + k) * E + e) * F + tf / stride]! * w[((k * C + c) * R + r) * S + s]!);
                }
              }
          }
  } else {
    // dW[k,c,r,s] = sum over n,e,f of X[n,c,e*stride+r-p, f*stride+s-p] * dY[n,k,e,f]
    const [x, dy] = [first, second];
    for (let k = 0; k < K; k++)
      for (let c = 0; c < C; c++)
        for (let r = 0; r < R; r++)
          for (let s = 0; s < S; s++) {
            const out = ((k * C + c) * R + r) * S + s;
            for (let n = 0; n < N; n++)
              for (let e = 0; e < E; e++) {
                const h = e * stride + r - padding;
                if (h < 0 || h >= H) continue;
                for (let f = 0; f < F; f++) {
                  const col = f * stride + s - padding;
                  if (col < 0 || col >= W) continue;
                  sink.add(out, x[((n * C + c) * H + h) * W + col]! * dy[((n * K + k) * E + e) * F + f]!);
                }
              }
          }
  }
}

function runDirect(pass: TrainingPass, shape: ConvShape, first: Int32Array, second: Int32Array, options: ComputeOptions | undefined, defaultLabel: string): Int32Array {
  const opts = resolveOptions(options, defaultLabel);
  checkPassOperands(pass, shape, first, second, opts.format, opts.label);
  const resultDims = PASS_LAYOUT[pass].dims(shape)[2];
  const acc = new Accumulators(resultDims.reduce((a, b) => a * b, 1), opts.format);
  convDirectInto(pass, shape, first, second, acc);
  return acc.finish(opts.onOverflow, opts.label, (i) => `${PASS_LAYOUT[pass].resultLabel} ${describeIndex4(i, resultDims, PASS_LAYOUT[pass].resultNames)}`);
}

/** Y = X * W: N x K x E x F. */
export function convForwardDirect(shape: ConvShape, activations: Int32Array, weights: Int32Array, options?: ComputeOptions): Int32Array {
  return runDirect('forward', shape, activations, weights, options, 'forward convolution');
}

/** dX from dY and W: N x C x H x W. */
export function convInputGradientDirect(shape: ConvShape, outputGradients: Int32Array, weights: Int32Array, options?: ComputeOptions): Int32Array {
  return runDirect('inputGradient', shape, outputGradients, weights, options, 'input-gradient convolution');
}

/** dW from X and dY, reduced over the batch: K x C x R x S. */
export function convWeightGradientDirect(shape: ConvShape, activations: Int32Array, outputGradients: Int32Array, options?: ComputeOptions): Int32Array {
  return runDirect('weightGradient', shape, activations, outputGradients, options, 'weight-gradient convolution');
}
