/** Which network tables exist, at which input sizes, and lookup with a helpful error. */
import { type InputSize, type NetworkTable } from '../layer-table.ts';
import { alexnetImagenet } from './alexnet.ts';
import { densenet121 } from './densenet121.ts';
import { resnet18, resnet50 } from './resnet.ts';
import { vgg16 } from './vgg16.ts';
import { wideResnet } from './wrn.ts';

type Builders = Partial<Record<InputSize, () => NetworkTable>>;

export const NETWORKS: Readonly<Record<string, Builders>> = {
  alexnet: { imagenet: alexnetImagenet },
  vgg16: { cifar: () => vgg16('cifar'), imagenet: () => vgg16('imagenet') },
  resnet18: { cifar: () => resnet18('cifar'), imagenet: () => resnet18('imagenet') },
  resnet50: { imagenet: resnet50 },
  densenet121: { cifar: () => densenet121('cifar'), imagenet: () => densenet121('imagenet') },
  'wrn-16-8': { cifar: () => wideResnet(16, 8) },
};

export function networkNames(): string[] {
  return Object.keys(NETWORKS);
}

export function getNetwork(name: string, input: InputSize): NetworkTable {
  const builders = NETWORKS[name];
  if (builders === undefined) {
    throw new RangeError(`unknown network "${name}"; choose one of: ${networkNames().join(', ')}`);
  }
  const build = builders[input];
  if (build === undefined) {
    const available = Object.keys(builders).join(' or ');
    throw new RangeError(`network "${name}" has no ${input} table; use --input ${available}`);
  }
  return build();
}
