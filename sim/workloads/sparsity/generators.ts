/**
 * Sparsity generators as whole-layer workloads: given a layer shape, a target
 * sparsity and a seed, each builds the three training operands (activations X,
 * weights W, output gradients dY) with the zero structure its source describes.
 * Every operand draws from its own stream, derived from (seed, layer, role), so a
 * layer's workload does not depend on which other layers were generated.
 */
import { activationDims, outputDims, outputHeight, outputWidth, weightDims, type ConvShape } from '../../golden/conv-shape.ts';
import { elementCount } from '../../golden/dense-array.ts';
import { DEFAULT_NUMBER_FORMAT, type NumberFormat } from '../../golden/fixed-point.ts';
import { Rng, deriveSeed } from '../../golden/random.ts';
import { dsgSelectOutputs } from './dsg.ts';
import { fillValues, type OperandRole } from './operand-values.ts';
import { clusteredReluMask } from './relu-clustered.ts';
import { structuredLineMask } from './structured-lines.ts';
import { keepCount, keepTopKByMagnitude } from './top-k.ts';
import { uniformMask } from './uniform.ts';

export interface GeneratorRequest {
  /** Fraction of zeros aimed for, in [0, 1]. */
  readonly sparsity: number;
  readonly seed: number;
  /** Part of every derived seed: different layers get different operands. */
  readonly layerName: string;
  readonly format?: NumberFormat;
  /**
   * The layer reads the network's input (the raw image): its activations X are
   * dense whatever the generator, since no ReLU, pruning or selection made them.
   */
  readonly networkInput?: boolean;
}

export interface LayerWorkload {
  /** N x C x H x W */
  readonly activations: Int32Array;
  /** K x C x R x S */
  readonly weights: Int32Array;
  /** N x K x E x F */
  readonly outputGradients: Int32Array;
  /** Zero pattern (1 = non-zero) of the layer's output activations, for generators that model it. */
  readonly outputActivationMask?: Uint8Array;
}

export interface SparsityGenerator {
  readonly name: string;
  /** Which operands it sparsifies and how; printed by the CLI's help. */
  readonly summary: string;
  synthesize(shape: ConvShape, request: GeneratorRequest): LayerWorkload;
}

function streams(request: GeneratorRequest) {
  return (role: string) => new Rng(deriveSeed(request.seed, request.layerName, role));
}

function dense(dims: readonly number[], role: OperandRole, bits: number, rng: Rng): Int32Array {
  return fillValues(elementCount(dims), role, bits, rng);
}

function masked(mask: Uint8Array, role: OperandRole, bits: number, rng: Rng): Int32Array {
  return fillValues(mask.length, role, bits, rng, mask);
}

/** X of a layer: dense when it is the network's input, else what the generator makes of it. */
function activationsOf(shape: ConvShape, request: GeneratorRequest, bits: number, rng: Rng, sparse: () => Int32Array): Int32Array {
  return request.networkInput ? dense(activationDims(shape), 'activation', bits, rng) : sparse();
}

function topK(dims: readonly number[], role: OperandRole, bits: number, sparsity: number, rng: Rng): Int32Array {
  const values = dense(dims, role, bits, rng);
  return keepTopKByMagnitude(values, keepCount(values.length, 1 - sparsity));
}

const uniform: SparsityGenerator = {
  name: 'uniform',
  summary: 'X, W and dY each i.i.d.: every element non-zero with probability 1 - sparsity',
  synthesize(shape, request) {
    const bits = (request.format ?? DEFAULT_NUMBER_FORMAT).operandBits;
    const rng = streams(request);
    const density = 1 - request.sparsity;
    const operand = (dims: readonly number[], role: OperandRole) => {
      const r = rng(role);
      return masked(uniformMask(elementCount(dims), density, r), role, bits, r);
    };
    return {
      activations: activationsOf(shape, request, bits, rng('activation'), () => operand(activationDims(shape), 'activation')),
      weights: operand(weightDims(shape), 'weight'),
      outputGradients: operand(outputDims(shape), 'gradient'),
    };
  },
};

const swatTopK: SparsityGenerator = {
  name: 'topk',
  summary: 'SWAT: top-K magnitude per tensor on X and W (exact density); dY dense',
  synthesize(shape, request) {
    const bits = (request.format ?? DEFAULT_NUMBER_FORMAT).operandBits;
    const rng = streams(request);
    return {
      activations: activationsOf(shape, request, bits, rng('activation'), () =>
        topK(activationDims(shape), 'activation', bits, request.sparsity, rng('activation')),
      ),
      weights: topK(weightDims(shape), 'weight', bits, request.sparsity, rng('weight')),
      outputGradients: dense(outputDims(shape), 'gradient', bits, rng('gradient')),
    };
  },
};

const reluClustered: SparsityGenerator = {
  name: 'relu',
  summary: 'ReLU-shaped: X and the output activations Y spatially clustered (exact density); dY shares Y\'s zeros; W dense',
  synthesize(shape, request) {
    const bits = (request.format ?? DEFAULT_NUMBER_FORMAT).operandBits;
    const rng = streams(request);
    const density = 1 - request.sparsity;
    const xRng = rng('activation');
    const yRng = rng('gradient');
    const outputActivationMask = clusteredReluMask(outputDims(shape), density, yRng);
    return {
      activations: activationsOf(shape, request, bits, xRng, () =>
        masked(clusteredReluMask(activationDims(shape), density, xRng), 'activation', bits, xRng),
      ),
      weights: dense(weightDims(shape), 'weight', bits, rng('weight')),
      outputGradients: masked(outputActivationMask, 'gradient', bits, yRng),
      outputActivationMask,
    };
  },
};

const dsg: SparsityGenerator = {
  name: 'dsg',
  summary:
    'DSG: X selected by dimension-reduction search in a preceding 1x1 layer, dY masked by this layer\'s DRS selection; W dense',
  synthesize(shape, request) {
    const bits = (request.format ?? DEFAULT_NUMBER_FORMAT).operandBits;
    const rng = streams(request);
    const density = 1 - request.sparsity;
    const weights = dense(weightDims(shape), 'weight', bits, rng('weight'));
    const xRng = rng('activation');
    const activations = activationsOf(shape, request, bits, xRng, () => {
      // The layer input is itself the output of a DSG-selected layer: model it as a
      // 1x1 convolution C -> C applied to dense ReLU activations.
      const previous: ConvShape = { ...shape, outChannels: shape.inChannels, kernelHeight: 1, kernelWidth: 1, stride: 1, padding: 0 };
      const prevRng = rng('previous-layer');
      const prevInput = dense(activationDims(previous), 'activation', bits, prevRng);
      const prevWeights = dense(weightDims(previous), 'weight', bits, prevRng);
      const inputMask = dsgSelectOutputs(previous, prevInput, prevWeights, { density }, prevRng).mask;
      return masked(inputMask, 'activation', bits, xRng);
    });
    const selection = dsgSelectOutputs(shape, activations, weights, { density }, rng('projection'));
    return {
      activations,
      weights,
      outputGradients: masked(selection.mask, 'gradient', bits, rng('gradient')),
      outputActivationMask: selection.mask,
    };
  },
};

const lstmStructured: SparsityGenerator = {
  name: 'lstm',
  summary: 'LSTM structured: dY viewed as (N*E*F) x K, whole columns (output channels) zeroed; X and W dense',
  synthesize(shape, request) {
    const bits = (request.format ?? DEFAULT_NUMBER_FORMAT).operandBits;
    const rng = streams(request);
    const { batch: N, outChannels: K } = shape;
    const positions = outputHeight(shape) * outputWidth(shape);
    const gRng = rng('gradient');
    const columnMask = structuredLineMask(N * positions, K, request.sparsity, 'columns', gRng);
    // Reorder the (position, channel) matrix into N x K x E x F.
    const mask = new Uint8Array(N * K * positions);
    for (let n = 0; n < N; n++)
      for (let p = 0; p < positions; p++)
        for (let k = 0; k < K; k++) mask[(n * K + k) * positions + p] = columnMask[(n * positions + p) * K + k]!;
    return {
      activations: dense(activationDims(shape), 'activation', bits, rng('activation')),
      weights: dense(weightDims(shape), 'weight', bits, rng('weight')),
      outputGradients: masked(mask, 'gradient', bits, gRng),
    };
  },
};

const staticPruning: SparsityGenerator = {
  name: 'prune',
  summary: 'SparseRT regime: W magnitude-pruned once (top-K per tensor, exact; 0.9 and 0.95 typical); X and dY dense',
  synthesize(shape, request) {
    const bits = (request.format ?? DEFAULT_NUMBER_FORMAT).operandBits;
    const rng = streams(request);
    return {
      activations: dense(activationDims(shape), 'activation', bits, rng('activation')),
      weights: topK(weightDims(shape), 'weight', bits, request.sparsity, rng('weight')),
      outputGradients: dense(outputDims(shape), 'gradient', bits, rng('gradient')),
    };
  },
};

export const GENERATORS: Readonly<Record<string, SparsityGenerator>> = Object.fromEntries(
  [uniform, swatTopK, reluClustered, dsg, lstmStructured, staticPruning].map((g) => [g.name, g]),
);

export function getGenerator(name: string): SparsityGenerator {
  const generator = GENERATORS[name];
  if (generator === undefined) {
    throw new RangeError(`unknown sparsity generator "${name}"; choose one of: ${Object.keys(GENERATORS).join(', ')}`);
  }
  return generator;
}
