/**
 * Work units of experiments that run every layer of networks, one unit per
 * network x generator x sparsity x layer, and their results grouped back into
 * runs (one network, generator and sparsity, layers in table order).
 */
import { getNetwork } from '../workloads/networks/index.ts';
import type { NetworkTable } from '../workloads/layer-table.ts';
import { unitId, type ExperimentSettings, type NetworkChoice, type WorkUnit } from './experiment.ts';

/** ANT's five networks, at the inputs of its evaluation. */
export const ANT_NETWORKS: readonly NetworkChoice[] = [
  { name: 'densenet121', input: 'cifar' },
  { name: 'resnet18', input: 'cifar' },
  { name: 'vgg16', input: 'cifar' },
  { name: 'wrn-16-8', input: 'cifar' },
  { name: 'resnet50', input: 'imagenet' },
];

export function layerUnits(settings: ExperimentSettings, layersOf: (table: NetworkTable) => readonly number[] = (t) => t.layers.map((_, i) => i)): WorkUnit[] {
  const units: WorkUnit[] = [];
  for (const net of settings.nets) {
    const table = getNetwork(net.name, net.input);
    for (const generator of settings.generators) {
      for (const sparsity of settings.sparsities) {
        for (const index of layersOf(table)) {
          const layer = table.layers[index]!;
          units.push({
            id: unitId(`${net.name}-${net.input}`, generator, `s${sparsity}`, `${String(index).padStart(3, '0')}-${layer.name}`),
            params: { net: net.name, input: net.input, generator, sparsity, layerIndex: index, layer: layer.name },
          });
        }
      }
    }
  }
  return units;
}

export interface LayerRun<L> {
  readonly net: string;
  readonly input: string;
  readonly generator: string;
  readonly sparsity: number;
  readonly layers: L[];
}

/** Unit results grouped by (network, generator, sparsity), layers in unit order. */
export function layerRuns<L>(units: readonly WorkUnit[], results: readonly unknown[]): LayerRun<L>[] {
  const byKey = new Map<string, LayerRun<L>>();
  units.forEach((u, i) => {
    const key = `${u.params.net}|${u.params.input}|${u.params.generator}|${u.params.sparsity}`;
    let run = byKey.get(key);
    if (!run) {
      run = { net: String(u.params.net), input: String(u.params.input), generator: String(u.params.generator), sparsity: Number(u.params.sparsity), layers: [] };
      byKey.set(key, run);
    }
    run.layers.push(results[i] as L);
  });
  return [...byKey.values()];
}
