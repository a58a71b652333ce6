/**
 * Layer tables of whole networks: the convolution and fully-connected shapes
 * that the accelerator trains, one row per layer, per sample (the batch is
 * chosen when a table is run).
 */
import { outputSize, validateConvShape, type ConvShape } from '../golden/conv-shape.ts';

export type InputSize = 'cifar' | 'imagenet';
export const INPUT_RESOLUTION: Record<InputSize, number> = { cifar: 32, imagenet: 224 };

export interface LayerSpec {
  readonly name: string;
  readonly kind: 'conv' | 'fc';
  readonly inChannels: number;
  readonly outChannels: number;
  /** Square input feature map side; 1 for fully-connected layers. */
  readonly inputSize: number;
  /** Square kernel side; 1 for fully-connected layers. */
  readonly kernel: number;
  readonly stride: number;
  readonly padding: number;
}

export interface NetworkTable {
  readonly name: string;
  readonly input: InputSize;
  /** Paper the shapes come from, and which variant the table follows. */
  readonly source: string;
  readonly layers: readonly LayerSpec[];
}

export function convLayer(
  name: string,
  inChannels: number,
  outChannels: number,
  inputSize: number,
  kernel: number,
  stride = 1,
  padding = Math.floor(kernel / 2),
): LayerSpec {
  return { name, kind: 'conv', inChannels, outChannels, inputSize, kernel, stride, padding };
}

export function fcLayer(name: string, inFeatures: number, outFeatures: number): LayerSpec {
  return { name, kind: 'fc', inChannels: inFeatures, outChannels: outFeatures, inputSize: 1, kernel: 1, stride: 1, padding: 0 };
}

/** Side of the feature map a layer produces. */
export function layerOutputSize(layer: LayerSpec): number {
  return outputSize(layer.inputSize, layer.kernel, layer.padding, layer.stride);
}

/** Side after a pooling window (no MACs, only a change of size). */
export function pooledSize(size: number, window: number, stride: number, padding = 0): number {
  return outputSize(size, window, padding, stride);
}

export function toConvShape(layer: LayerSpec, batch: number): ConvShape {
  return validateConvShape(
    {
      batch,
      inChannels: layer.inChannels,
      outChannels: layer.outChannels,
      height: layer.inputSize,
      width: layer.inputSize,
      kernelHeight: layer.kernel,
      kernelWidth: layer.kernel,
      stride: layer.stride,
      padding: layer.padding,
    },
    layer.name,
  );
}

/** Multiply-accumulates of the forward pass for one sample. */
export function layerMacs(layer: LayerSpec): number {
  const out = layerOutputSize(layer);
  return layer.outChannels * layer.inChannels * layer.kernel * layer.kernel * out * out;
}

/** Weights of the layer (biases and batch-norm parameters not included). */
export function layerWeights(layer: LayerSpec): number {
  return layer.outChannels * layer.inChannels * layer.kernel * layer.kernel;
}

export function networkMacs(table: NetworkTable, include: 'all' | 'conv' = 'all'): number {
  return table.layers.filter((l) => include === 'all' || l.kind === 'conv').reduce((sum, l) => sum + layerMacs(l), 0);
}

export function networkWeights(table: NetworkTable): number {
  return table.layers.reduce((sum, l) => sum + layerWeights(l), 0);
}
