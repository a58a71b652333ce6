/**
 * VGG16 (configuration D): K. Simonyan and A. Zisserman, "Very Deep Convolutional
 * Networks for Large-Scale Image Recognition", ICLR 2015. Thirteen 3x3 convolutions
 * with padding 1 in five stages, 2x2 max pool after each stage.
 * ImageNet: three FC layers 25088-4096-4096-1000. CIFAR (32 x 32, the common
 * adaptation used in sparse-training papers): one FC layer 512-10.
 */
import { convLayer, fcLayer, pooledSize, type InputSize, type LayerSpec, type NetworkTable } from '../layer-table.ts';

const STAGES: readonly (readonly number[])[] = [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]];

export function vgg16(input: InputSize): NetworkTable {
  const layers: LayerSpec[] = [];
  let size = input === 'imagenet' ? 224 : 32;
  let channels = 3;
  STAGES.forEach((widths, stage) => {
    widths.forEach((width, i) => {
      layers.push(convLayer(`conv${stage + 1}_${i + 1}`, channels, width, size, 3));
      channels = width;
    });
    size = pooledSize(size, 2, 2);
  });
  if (input === 'imagenet') {
    layers.push(fcLayer('fc6', channels * size * size, 4096), fcLayer('fc7', 4096, 4096), fcLayer('fc8', 4096, 1000));
  } else {
    layers.push(fcLayer('fc', channels * size * size, 10));
  }
  return { name: 'vgg16', input, source: 'Simonyan & Zisserman, ICLR 2015, configuration D', layers };
}
