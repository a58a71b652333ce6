/**
 * ResNet-18 and ResNet-50: K. He, X. Zhang, S. Ren, J. Sun, "Deep Residual Learning
 * for Image Recognition", CVPR 2016, Table 1. ImageNet: 7x7 stride-2 stem and 3x3
 * stride-2 max pool. Down-sampling blocks use a 1x1 stride-2 projection shortcut;
 * ResNet-50's bottleneck puts the stride on its 3x3 convolution (the widely used
 * "v1.5" placement, which is what the 4.1 GMAC figure counts; the paper's Table 1
 * has 3.8 GFLOPs with the stride on the first 1x1).
 * CIFAR ResNet-18: 3x3 stride-1 stem and no max pool, the usual adaptation of the
 * ImageNet network to 32 x 32 inputs in sparse-training papers.
 */
import { convLayer, fcLayer, layerOutputSize, pooledSize, type InputSize, type LayerSpec, type NetworkTable } from '../layer-table.ts';

const STAGE_WIDTHS = [64, 128, 256, 512] as const;

function stem(input: InputSize, layers: LayerSpec[]): number {
  if (input === 'cifar') {
    layers.push(convLayer('conv1', 3, 64, 32, 3, 1, 1));
    return 32;
  }
  const conv1 = convLayer('conv1', 3, 64, 224, 7, 2, 3);
  layers.push(conv1);
  return pooledSize(layerOutputSize(conv1), 3, 2, 1);
}

export function resnet18(input: InputSize): NetworkTable {
  const layers: LayerSpec[] = [];
  let size = stem(input, layers);
  let channels = 64;
  STAGE_WIDTHS.forEach((width, stage) => {
    for (let block = 0; block < 2; block++) {
      const stride = stage > 0 && block === 0 ? 2 : 1;
      const prefix = `layer${stage + 1}.${block}`;
      const conv1 = convLayer(`${prefix}.conv1`, channels, width, size, 3, stride, 1);
      layers.push(conv1);
      const outSize = layerOutputSize(conv1);
      layers.push(convLayer(`${prefix}.conv2`, width, width, outSize, 3, 1, 1));
      if (stride !== 1 || channels !== width) layers.push(convLayer(`${prefix}.downsample`, channels, width, size, 1, stride, 0));
      channels = width;
      size = outSize;
    }
  });
  layers.push(fcLayer('fc', channels, input === 'imagenet' ? 1000 : 10));
  return { name: 'resnet18', input, source: 'He et al., CVPR 2016, Table 1 (18-layer)', layers };
}

export function resnet50(): NetworkTable {
  const layers: LayerSpec[] = [];
  let size = stem('imagenet', layers);
  let channels = 64;
  const blocksPerStage = [3, 4, 6, 3];
  STAGE_WIDTHS.forEach((width, stage) => {
    for (let block = 0; block < blocksPerStage[stage]!; block++) {
      const stride = stage > 0 && block === 0 ? 2 : 1;
      const prefix = `layer${stage + 1}.${block}`;
      const expanded = width * 4;
      layers.push(convLayer(`${prefix}.conv1`, channels, width, size, 1, 1, 0));
      const conv2 = convLayer(`${prefix}.conv2`, width, width, size, 3, stride, 1);
      layers.push(conv2);
      const outSize = layerOutputSize(conv2);
      layers.push(convLayer(`${prefix}.conv3`, width, expanded, outSize, 1, 1, 0));
      if (block === 0) layers.push(convLayer(`${prefix}.downsample`, channels, expanded, size, 1, stride, 0));
      channels = expanded;
      size = outSize;
    }
  });
  layers.push(fcLayer('fc', channels, 1000));
  return { name: 'resnet50', input: 'imagenet', source: 'He et al., CVPR 2016, Table 1 (50-layer, stride on the 3x3)', layers };
}
