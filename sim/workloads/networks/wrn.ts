/**
 * Wide ResNet WRN-16-8 for CIFAR: S. Zagoruyko and N. Komodakis, "Wide Residual
 * Networks", BMVC 2016, Table 1. Depth 16 gives (16 - 4) / 6 = 2 basic blocks
 * (two 3x3 convolutions) per group; widening factor 8 gives groups of 128, 256 and
 * 512 channels at 32, 16 and 8 pixels. The first block of groups 2 and 3 has
 * stride 2; a block whose width changes has a 1x1 projection shortcut.
 */
import { convLayer, fcLayer, layerOutputSize, type LayerSpec, type NetworkTable } from '../layer-table.ts';

export function wideResnet(depth: number, widen: number): NetworkTable {
  if ((depth - 4) % 6 !== 0 || depth < 10) throw new RangeError(`WRN depth must be 6n + 4 with n >= 1, got ${depth}`);
  const blocksPerGroup = (depth - 4) / 6;
  const layers: LayerSpec[] = [convLayer('conv1', 3, 16, 32, 3, 1, 1)];
  let channels = 16;
  let size = 32;
  [16 * widen, 32 * widen, 64 * widen].forEach((width, group) => {
    for (let block = 0; block < blocksPerGroup; block++) {
      const stride = group > 0 && block === 0 ? 2 : 1;
      const prefix = `group${group + 1}.block${block + 1}`;
      const conv1 = convLayer(`${prefix}.conv1`, channels, width, size, 3, stride, 1);
      layers.push(conv1);
      const outSize = layerOutputSize(conv1);
      layers.push(convLayer(`${prefix}.conv2`, width, width, outSize, 3, 1, 1));
      if (channels !== width) layers.push(convLayer(`${prefix}.shortcut`, channels, width, size, 1, stride, 0));
      channels = width;
      size = outSize;
    }
  });
  layers.push(fcLayer('fc', channels, 10));
  return { name: `wrn-${depth}-${widen}`, input: 'cifar', source: 'Zagoruyko & Komodakis, BMVC 2016, Table 1', layers };
}
