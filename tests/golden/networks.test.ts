import { describe, expect, it } from 'vitest';
import { networkMacs, networkWeights, type InputSize } from '../../sim/workloads/layer-table.ts';
import { NETWORKS, getNetwork } from '../../sim/workloads/networks/index.ts';

// Published totals, fully-connected layers included, multiply-accumulates per 224x224 (or 32x32) image.
const PUBLISHED_MACS: Array<[string, InputSize, number, number, string]> = [
  ['resnet50', 'imagenet', 4.1e9, 0.03, 'He et al. 2016 (stride on the 3x3, torchvision v1.5 count)'],
  ['vgg16', 'imagenet', 15.5e9, 0.02, 'Simonyan & Zisserman 2015'],
  ['resnet18', 'imagenet', 1.8e9, 0.03, 'He et al. 2016, Table 1'],
  ['alexnet', 'imagenet', 0.72e9, 0.03, 'Krizhevsky 2012/2014'],
  ['densenet121', 'imagenet', 2.9e9, 0.03, 'Huang et al. 2017'],
  ['resnet18', 'cifar', 0.56e9, 0.02, 'commonly reported for the 3x3-stem CIFAR ResNet-18'],
  ['vgg16', 'cifar', 0.31e9, 0.02, 'commonly reported for CIFAR VGG16 with one FC layer'],
];

describe('MAC totals match the published figures', () => {
  for (const [name, input, published, tolerance, source] of PUBLISHED_MACS) {
    it(`${name} ${input}: ${published / 1e9} GMAC within ${tolerance * 100}% (${source})`, () => {
      const macs = networkMacs(getNetwork(name, input));
      expect(Math.abs(macs / published - 1)).toBeLessThanOrEqual(tolerance);
    });
  }
});

describe('weight counts match the papers', () => {
  it('VGG16 has 138M weights (Simonyan & Zisserman, Table 2)', () => {
    expect(Math.abs(networkWeights(getNetwork('vgg16', 'imagenet')) / 138e6 - 1)).toBeLessThan(0.01);
  });
  it('WRN-16-8 has 11.0M weights (Zagoruyko & Komodakis, Table 1)', () => {
    expect(Math.abs(networkWeights(getNetwork('wrn-16-8', 'cifar')) / 11.0e6 - 1)).toBeLessThan(0.01);
  });
});

describe('table structure', () => {
  it('counts the layers each architecture defines', () => {
    const convs = (name: string, input: InputSize) => getNetwork(name, input).layers.filter((l) => l.kind === 'conv').length;
    expect(convs('resnet18', 'imagenet')).toBe(17 + 3); // 17 weighted 3x3/7x7 convs + 3 projection shortcuts
    expect(convs('resnet50', 'imagenet')).toBe(49 + 4);
    expect(convs('densenet121', 'imagenet')).toBe(1 + 2 * 58 + 3);
    expect(convs('vgg16', 'cifar')).toBe(13);
    expect(convs('wrn-16-8', 'cifar')).toBe(1 + 12 + 3);
    expect(getNetwork('densenet121', 'cifar').layers.at(-1)).toMatchObject({ kind: 'fc', inChannels: 1024, outChannels: 10 });
  });

  it('gives every layer a unique name and a non-empty output', () => {
    for (const [name, builders] of Object.entries(NETWORKS)) {
      for (const input of Object.keys(builders) as InputSize[]) {
        const table = getNetwork(name, input);
        expect(new Set(table.layers.map((l) => l.name)).size).toBe(table.layers.length);
        expect(table.source.length).toBeGreaterThan(0);
      }
    }
  });

  it('rejects unknown networks and missing input sizes with the way out', () => {
    expect(() => getNetwork('resnet34', 'imagenet')).toThrow(
      'unknown network "resnet34"; choose one of: alexnet, vgg16, resnet18, resnet50, densenet121, wrn-16-8',
    );
    expect(() => getNetwork('resnet50', 'cifar')).toThrow('network "resnet50" has no cifar table; use --input imagenet');
  });
});
