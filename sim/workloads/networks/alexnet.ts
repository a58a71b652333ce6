/**
 * AlexNet, single-column variant: A. Krizhevsky, "One weird trick for parallelizing
 * convolutional neural networks", arXiv:1404.5997, 2014 (channels 64-192-384-256-256;
 * the 2012 NIPS paper's two-GPU split with grouped convolutions is not modelled).
 * 224 x 224 input, conv1 padding 2, 3x3 stride-2 max pools after conv1, conv2, conv5.
 */
import { convLayer, fcLayer, layerOutputSize, pooledSize, type LayerSpec, type NetworkTable } from '../layer-table.ts';

export function alexnetImagenet(): NetworkTable {
  const layers: LayerSpec[] = [];
  const conv1 = convLayer('conv1', 3, 64, 224, 11, 4, 2);
  layers.push(conv1);
  let size = pooledSize(layerOutputSize(conv1), 3, 2);
  const conv2 = convLayer('conv2', 64, 192, size, 5, 1, 2);
  layers.push(conv2);
  size = pooledSize(layerOutputSize(conv2), 3, 2);
  const widths = [192, 384, 256, 256];
  for (let i = 1; i < widths.length; i++) layers.push(convLayer(`conv${i + 2}`, widths[i - 1]!, widths[i]!, size, 3));
  size = pooledSize(size, 3, 2);
  layers.push(fcLayer('fc6', 256 * size * size, 4096), fcLayer('fc7', 4096, 4096), fcLayer('fc8', 4096, 1000));
  return { name: 'alexnet', input: 'imagenet', source: 'Krizhevsky 2014, arXiv:1404.5997 (one-column AlexNet)', layers };
}
