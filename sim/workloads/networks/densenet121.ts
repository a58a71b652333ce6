/**
 * DenseNet-121 (DenseNet-BC, growth rate k = 32, blocks of 6-12-24-16 layers):
 * G. Huang, Z. Liu, L. van der Maaten, K. Q. Weinberger, "Densely Connected
 * Convolutional Networks", CVPR 2017, Table 1. Each dense layer is a 1x1
 * bottleneck convolution to 4k channels then a 3x3 convolution to k channels;
 * each transition halves the channels (compression 0.5) with a 1x1 convolution
 * and halves the map with a 2x2 average pool.
 * ImageNet: 7x7 stride-2 stem with 2k channels and a 3x3 stride-2 max pool.
 * CIFAR: 3x3 stride-1 stem with 2k channels and no pool, the adaptation used when
 * DenseNet-121 is trained on 32 x 32 inputs.
 */
import { convLayer, fcLayer, layerOutputSize, pooledSize, type InputSize, type LayerSpec, type NetworkTable } from '../layer-table.ts';

const GROWTH = 32;
const BOTTLENECK_WIDTH = 4 * GROWTH;
const BLOCK_LAYERS = [6, 12, 24, 16] as const;

export function densenet121(input: InputSize): NetworkTable {
  const layers: LayerSpec[] = [];
  let size: number;
  if (input === 'imagenet') {
    const conv0 = convLayer('conv0', 3, 2 * GROWTH, 224, 7, 2, 3);
    layers.push(conv0);
    size = pooledSize(layerOutputSize(conv0), 3, 2, 1);
  } else {
    layers.push(convLayer('conv0', 3, 2 * GROWTH, 32, 3, 1, 1));
    size = 32;
  }
  let channels = 2 * GROWTH;
  BLOCK_LAYERS.forEach((count, block) => {
    for (let i = 0; i < count; i++) {
      const prefix = `block${block + 1}.layer${i + 1}`;
      layers.push(convLayer(`${prefix}.conv1`, channels, BOTTLENECK_WIDTH, size, 1, 1, 0));
      layers.push(convLayer(`${prefix}.conv2`, BOTTLENECK_WIDTH, GROWTH, size, 3, 1, 1));
      channels += GROWTH;
    }
    if (block < BLOCK_LAYERS.length - 1) {
      layers.push(convLayer(`transition${block + 1}.conv`, channels, channels / 2, size, 1, 1, 0));
      channels /= 2;
      size = pooledSize(size, 2, 2);
    }
  });
  layers.push(fcLayer('classifier', channels, input === 'imagenet' ? 1000 : 10));
  return { name: 'densenet121', input, source: 'Huang et al., CVPR 2017, Table 1 (DenseNet-121, k = 32)', layers };
}
