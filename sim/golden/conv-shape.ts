/**
 * Shape of one convolution layer in training and the per-dimension index algebra
 * of REFERENCE.md section 3, shared by the direct, outer-product and counting code.
 *
 * Tensors are flat row-major typed arrays: activations X and input gradients dX are
 * N x C x H x W, weights W and weight gradients dW are K x C x R x S, outputs Y and
 * output gradients dY are N x K x E x F. Stride and padding are the same in both
 * spatial dimensions. A fully-connected layer is the 1 x 1 case.
 */

export interface ConvShape {
  readonly batch: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly height: number;
  readonly width: number;
  readonly kernelHeight: number;
  readonly kernelWidth: number;
  readonly stride: number;
  readonly padding: number;
}

export type TrainingPass = 'forward' | 'inputGradient' | 'weightGradient';
export const TRAINING_PASSES: readonly TrainingPass[] = ['forward', 'inputGradient', 'weightGradient'];

/** Output size along one dimension: floor((H + 2p - R) / stride) + 1. */
export function outputSize(input: number, kernel: number, padding: number, stride: number): number {
  return Math.floor((input + 2 * padding - kernel) / stride) + 1;
}

export function outputHeight(shape: ConvShape): number {
  return outputSize(shape.height, shape.kernelHeight, shape.padding, shape.stride);
}

export function outputWidth(shape: ConvShape): number {
  return outputSize(shape.width, shape.kernelWidth, shape.padding, shape.stride);
}

/** Throws a message naming the impossible field; returns the shape for chaining. */
export function validateConvShape(shape: ConvShape, label = 'layer'): ConvShape {
  const positive = ['batch', 'inChannels', 'outChannels', 'height', 'width', 'kernelHeight', 'kernelWidth', 'stride'] as const;
  for (const field of positive) {
    const v = shape[field];
    if (!Number.isSafeInteger(v) || v <= 0) {
      throw new RangeError(`${label}: ${field} must be a positive integer, got ${v}`);
    }
  }
  if (!Number.isSafeInteger(shape.padding) || shape.padding < 0) {
    throw new RangeError(`${label}: padding must be a non-negative integer, got ${shape.padding}`);
  }
  if (shape.kernelHeight > shape.height + 2 * shape.padding || shape.kernelWidth > shape.width + 2 * shape.padding) {
    throw new RangeError(
      `${label}: a ${shape.kernelHeight}x${shape.kernelWidth} kernel does not fit a ${shape.height}x${shape.width} ` +
        `input with padding ${shape.padding}; the output would be empty`,
    );
  }
  return shape;
}

export function activationDims(s: ConvShape): [number, number, number, number] {
  return [s.batch, s.inChannels, s.height, s.width];
}

export function weightDims(s: ConvShape): [number, number, number, number] {
  return [s.outChannels, s.inChannels, s.kernelHeight, s.kernelWidth];
}

export function outputDims(s: ConvShape): [number, number, number, number] {
  return [s.batch, s.outChannels, outputHeight(s), outputWidth(s)];
}

/** Dense multiply-accumulates of one pass, padding included (the usual "MACs"). */
export function denseMacs(s: ConvShape): number {
  return s.batch * s.outChannels * s.inChannels * outputHeight(s) * outputWidth(s) * s.kernelHeight * s.kernelWidth;
}

/**
 * The validity rules of the section 3 table along one spatial dimension.
 * Forward: input position h meets kernel tap r -> e = (h + p - r) / stride.
 * Input gradient: output-gradient position e meets tap r -> h = e * stride + r - p.
 * Weight gradient: input position h meets output-gradient position e -> r = h + p - e * stride.
 * Each returns the output index, or -1 when the product is redundant.
 */
export function forwardOutputIndex(h: number, r: number, padding: number, stride: number, outSize: number): number {
  const t = h + padding - r;
  if (t < 0 || t % stride !== 0) return -1;
  const e = t / stride;
  return e < outSize ? e : -1;
}

export function inputGradientOutputIndex(e: number, r: number, padding: number, stride: number, inSize: number): number {
  const h = e * stride + r - padding;
  return h >= 0 && h < inSize ? h : -1;
}

export function weightGradientOutputIndex(h: number, e: number, padding: number, stride: number, kernel: number): number {
  const r = h + padding - e * stride;
  return r >= 0 && r < kernel ? r : -1;
}

export function describeShape(s: ConvShape): string {
  return (
    `N=${s.batch} C=${s.inChannels} K=${s.outChannels} H=${s.height} W=${s.width} ` +
    `R=${s.kernelHeight} S=${s.kernelWidth} stride=${s.stride} pad=${s.padding}`
  );
}

/** Cartesian products an outer-product machine issues, and how many of them land in the output. */
export interface ProductCounts {
  readonly products: number;
  readonly valid: number;
}

export function redundantProducts(counts: ProductCounts): number {
  return counts.products - counts.valid;
}

/** RCP fraction; 0 when no product is issued at all. */
export function rcpFraction(counts: ProductCounts): number {
  return counts.products === 0 ? 0 : (counts.products - counts.valid) / counts.products;
}
