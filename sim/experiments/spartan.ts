/**
 * spartan: Spartan's tile-based sparse GEMM on the array (TPDS 2021: conv-layer
 * speedups AlexNet 3.4x, VGG-16 2.14x, ResNet-18 2.02x on ImageNet; profiling
 * overhead cut 52.5x by the sparsity monitor).
 *
 * Every conv layer's forward pass runs with all tiles on the dense path, all
 * on the sparse path, and each on the path the monitor's flag at the layer's
 * measured crossover density chooses (tile-based; spartan-tiles.ts).
 * The monitor's overhead per layer is the readout of its records (it adds no
 * cycle to the activation stream: bench/frontend measures 0 in Verilator), set
 * beside the software profiling pass it replaces (sim/spartan/profiling-cost.ts).
 */
import { profilingCost, PROFILING_MODEL_ASSUMPTIONS, type ProfilingCost } from '../spartan/profiling-cost.ts';
import type { NetworkTable } from '../workloads/layer-table.ts';
import { arrayOf, geomean, layerExperimentUnits, LAYER_EXPERIMENT_SETTINGS, selectedLayers, unitLayer } from './array-experiments.ts';
import { engineMadeBy } from './pe-array-engines.ts';
import type { Comparison, CsvRow, Experiment, ExperimentSettings } from './experiment.ts';
import { layerRuns } from './layer-units.ts';
import { formatNumber, pct, x2 } from './output.ts';
import { describeSample, wholePass } from './pass-sampling.ts';
import {
  CROSSOVER_DENSITIES, DENSE_PATH_MODE, layerSample, measureCrossover, monitorConfigOf, runLayerPaths, SPARSE_PATH_MODE, TILE_CHANNELS,
  type CrossoverSweep, type LayerPaths, type TileRecord,
} from './spartan-tiles.ts';

/** Dense-path products of one sample's layer above which its output channels are sampled (docs/experiments.md, "spartan"). */
export const SPARTAN_MAX_PRODUCTS = 2_000_000;

const PUBLISHED_SPEEDUP: Readonly<Record<string, number>> = { alexnet: 3.4, vgg16: 2.14, resnet18: 2.02 };
const PUBLISHED_PROFILING = 52.5;

export type LayerTotals = Omit<LayerPaths, 'tiles'>;

export interface SpartanLayerResult {
  readonly layer: string;
  readonly index: number;
  readonly channels: number;
  readonly outChannels: number;
  readonly plane: number;
  /** The output channels every tile run kept (describeSample), and their scale. */
  readonly sample: string;
  readonly scale: number;
  readonly crossover: CrossoverSweep;
  readonly tiles: readonly TileRecord[];
  readonly totals: LayerTotals;
  /** The monitor on this layer's X, all samples (per-sample costs times the batch). */
  readonly profiling: ProfilingCost & { readonly samples: number };
}

function addTotals(list: readonly LayerTotals[]): LayerTotals {
  const sum = (key: keyof LayerTotals) => list.reduce((s, t) => s + t[key], 0);
  return { allDense: sum('allDense'), allSparse: sum('allSparse'), tileBased: sum('tileBased'), tileBasedDense: sum('tileBasedDense'), tileBasedSparse: sum('tileBasedSparse') };
}

/** Conv layers only: Spartan times conv layers. */
function convLayers(settings: ExperimentSettings, table: NetworkTable): number[] {
  return selectedLayers(settings, table).filter((i) => table.layers[i]!.kind === 'conv');
}

export const spartanExperiment: Experiment = {
  name: 'spartan',
  title: 'Spartan: tile-based dense/sparse GEMM and monitor overhead',
  reproduces: 'Spartan (TPDS 2021): conv-layer speedups AlexNet 3.4x, VGG-16 2.14x, ResNet-18 2.02x; profiling overhead cut 52.5x',
  accepts: LAYER_EXPERIMENT_SETTINGS,
  defaults: {
    nets: [
      { name: 'alexnet', input: 'imagenet' },
      { name: 'vgg16', input: 'imagenet' },
      { name: 'resnet18', input: 'imagenet' },
    ],
    generators: ['relu', 'dsg'],
    sparsities: [0.5],
    batch: 1,
    maxProducts: SPARTAN_MAX_PRODUCTS,
  },
  ...layerExperimentUnits('spartan', convLayers),
  async runUnit(unit, settings, context): Promise<SpartanLayerResult> {
    const { layer, index, generator, shape, operands } = unitLayer(unit, settings);
    const ctx = { engine: context.engine, array: arrayOf(settings), maxProducts: settings.maxProducts, seed: settings.seed, label: layer.name };
    const k = layerSample(shape, ctx);
    const crossover = await measureCrossover(shape, operands, generator, k, ctx);
    const { tiles, ...totals } = await runLayerPaths(shape, operands, crossover, k, ctx);
    const perSample = profilingCost(monitorConfigOf(shape, crossover.threshold), 0);
    const times = (v: number) => v * shape.batch;
    const profiling = {
      ...perSample,
      samples: shape.batch,
      elements: times(perSample.elements), beats: times(perSample.beats), records: times(perSample.records),
      monitorReadoutCycles: times(perSample.monitorReadoutCycles), softwareReadCycles: times(perSample.softwareReadCycles),
      softwareReduceCycles: times(perSample.softwareReduceCycles), softwareWriteCycles: times(perSample.softwareWriteCycles), softwareCycles: times(perSample.softwareCycles),
    };
    const whole = wholePass({ ...shape, batch: 1 });
    const sample = { ...whole, K: k, scale: k.of / k.count };
    return { layer: layer.name, index, channels: shape.inChannels, outChannels: shape.outChannels, plane: shape.height * shape.width, sample: describeSample(sample), scale: sample.scale, crossover, tiles, totals, profiling };
  },
  report(settings, units, results) {
    const array = arrayOf(settings);
    const runs = layerRuns<SpartanLayerResult>(units, results).map((run) => {
      const totals = addTotals(run.layers.map((l) => l.totals));
      const tiles = run.layers.flatMap((l) => l.tiles);
      const crossovers = run.layers.map((l) => l.crossover.density);
      const known = crossovers.filter((c): c is number => c !== null);
      const monitor = run.layers.reduce((s, l) => s + l.profiling.monitorReadoutCycles + l.profiling.monitorStreamCycles, 0);
      const software = run.layers.reduce((s, l) => s + l.profiling.softwareCycles, 0);
      return {
        network: run.net, input: run.input, generator: run.generator, sparsity: run.sparsity, totals,
        speedupOverDense: totals.allDense / totals.tileBased,
        speedupOverSparse: totals.allSparse / totals.tileBased,
        sparseOverDense: totals.allDense / totals.allSparse,
        tiles: tiles.length,
        denseTiles: tiles.filter((t) => t.chosen === 'dense').length,
        crossover: { min: known.length ? Math.min(...known) : null, max: known.length ? Math.max(...known) : null, sparseAlwaysFaster: crossovers.length - known.length },
        monitor: { readoutCycles: monitor, shareOfTileBased: monitor / totals.tileBased, softwareCycles: software, aggregateRatio: software / monitor, meanLayerRatio: run.layers.reduce((s, l) => s + l.profiling.ratio, 0) / run.layers.length },
        layers: run.layers,
      };
    });

    const made = `${engineMadeBy(settings.engine)}; dense path: every element present, anticipation ${DENSE_PATH_MODE}; sparse path: anticipation ${SPARSE_PATH_MODE}${runs.some((r) => r.layers.some((l) => l.scale > 1)) ? '; tiles sampled along their output channels' : ''}`;
    const comparisons: Comparison[] = runs
      .filter((r) => PUBLISHED_SPEEDUP[r.network] !== undefined)
      .map((r) => ({
        claim: `${r.network} (${r.input}) conv-layer speedup, tile-based over all-dense (${r.generator}, sparsity ${r.sparsity}, forward pass)`,
        published: x2(PUBLISHED_SPEEDUP[r.network]!),
        publishedValue: PUBLISHED_SPEEDUP[r.network]!,
        ours: r.speedupOverDense,
        oursText: `${x2(r.speedupOverDense)} (over all-sparse ${x2(r.speedupOverSparse)})`,
        ratio: r.speedupOverDense / PUBLISHED_SPEEDUP[r.network]!,
        madeBy: made,
      }));
    // The profiling cost depends on the layer shapes only: one figure per network.
    const profiled = new Map<string, (typeof runs)[number]>();
    for (const r of runs) if (!profiled.has(`${r.network}|${r.input}`)) profiled.set(`${r.network}|${r.input}`, r);
    const layerRatios = [...profiled.values()].flatMap((r) => r.layers.map((l) => l.profiling.ratio));
    if (layerRatios.length) {
      const mean = layerRatios.reduce((s, v) => s + v, 0) / layerRatios.length;
      comparisons.push({
        claim: 'profiling overhead cut by the sparsity monitor (software pass / monitor), mean over the conv layers of the networks',
        published: `${PUBLISHED_PROFILING}x`,
        publishedValue: PUBLISHED_PROFILING,
        ours: mean,
        oursText: `${x2(mean)} (per layer ${x2(Math.min(...layerRatios))} to ${x2(Math.max(...layerRatios))})`,
        ratio: mean / PUBLISHED_PROFILING,
        madeBy: 'cost model of sim/spartan/profiling-cost.ts (monitor: 0 stream cycles, measured in Verilator by bench/frontend; readout of its records) on the layers\' X',
      });
    }

    const rows: CsvRow[] = runs.flatMap((r) =>
      r.layers.map((l) => ({
        network: r.network, input: r.input, generator: r.generator, sparsity: r.sparsity, layer: l.layer, channels: l.channels, outChannels: l.outChannels, plane: l.plane,
        sample: l.sample, scale: l.scale, tiles: l.tiles.length, denseTiles: l.tiles.filter((t) => t.chosen === 'dense').length,
        density: l.tiles.reduce((s, t) => s + t.nonZeros, 0) / l.tiles.reduce((s, t) => s + t.elements, 0),
        crossover: l.crossover.density, threshold: l.crossover.threshold, tileDenseCycles: l.crossover.denseCycles,
        allDense: l.totals.allDense, allSparse: l.totals.allSparse, tileBased: l.totals.tileBased, tileBasedDensePass: l.totals.tileBasedDense, tileBasedSparsePass: l.totals.tileBasedSparse,
        monitorCycles: l.profiling.monitorStreamCycles + l.profiling.monitorReadoutCycles, softwareProfilingCycles: l.profiling.softwareCycles, profilingRatio: l.profiling.ratio,
      })),
    );

    const sampled = runs.some((r) => r.layers.some((l) => l.scale > 1));
    const md = [
      '## Tile-based GEMM, conv layers (forward pass), per network',
      '',
      `Array: ${array.top.px}x${array.top.py} PEs of ${array.top.pe.F}x${array.top.pe.I} multipliers. Tiles: ${TILE_CHANNELS} channels x the whole plane of one sample's X (the monitor's planar tiling). Dense path: every element of X and W present, anticipation ${DENSE_PATH_MODE}; sparse path: the compressed tile, anticipation ${SPARSE_PATH_MODE}. Batch ${settings.batch}, seed ${settings.seed}.`,
      '',
      '| network | generator | sparsity | all-dense cycles | all-sparse | tile-based | tile-based / all-dense | tile-based / all-sparse | tiles dense | crossover density (layers) | monitor cycles | monitor share |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|',
      ...runs.map((r) => {
        const c = r.crossover;
        const cross = c.min === null ? 'none' : `${c.min.toFixed(2)}–${c.max!.toFixed(2)}${c.sparseAlwaysFaster ? ` (${c.sparseAlwaysFaster} layer(s) none)` : ''}`;
        return `| ${r.network} (${r.input}) | ${r.generator} | ${r.sparsity} | ${formatNumber(Math.round(r.totals.allDense))} | ${formatNumber(Math.round(r.totals.allSparse))} | ${formatNumber(Math.round(r.totals.tileBased))} | ${x2(r.speedupOverDense)} | ${x2(r.speedupOverSparse)} | ${r.denseTiles} / ${r.tiles} | ${cross} | ${formatNumber(r.monitor.readoutCycles)} | ${pct(r.monitor.shareOfTileBased)} |`;
      }),
      '',
      'Speedup = cycles of the layer with every tile on one path / cycles with the tile-based choice (the flagged tiles as one dense-path pass, the others as one sparse-path pass), summed over the conv layers. Crossover: the density of X at which a tile on the sparse path adds as many cycles as on the dense path (cycles less the drain, which a pass pays once), measured per layer on a full tile of the run\'s generator at densities ' + CROSSOVER_DENSITIES.join(', ') + ' (linear interpolation; "none": the sparse path was faster at every density); the monitor\'s threshold is set to it and its tile flags choose the path.',
      '',
      '## Monitor overhead per layer',
      '',
      '| network | layer | X (C x plane) | tiles | crossover | threshold (/256) | tiles dense | monitor cycles | software profiling cycles | ratio | monitor / tile-based cycles |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
      ...[...profiled.values()].flatMap((r) =>
        r.layers.map((l) => `| ${r.network} | ${l.layer} | ${l.channels} x ${l.plane} | ${l.tiles.length} | ${l.crossover.density === null ? 'none' : l.crossover.density.toFixed(3)} | ${l.crossover.threshold} | ${l.tiles.filter((t) => t.chosen === 'dense').length} | ${formatNumber(l.profiling.monitorStreamCycles + l.profiling.monitorReadoutCycles)} | ${formatNumber(l.profiling.softwareCycles)} | ${x2(l.profiling.ratio)} | ${pct((l.profiling.monitorStreamCycles + l.profiling.monitorReadoutCycles) / l.totals.tileBased)} |`),
      ),
      '',
      `(Rows of the first generator and sparsity of each network; the profiling cost depends on the shapes only.) Profiling cost model (sim/spartan/profiling-cost.ts): ${PROFILING_MODEL_ASSUMPTIONS.join('; ')}.`,
      '',
      sampled
        ? `**Sampled:** a layer with more than ${settings.maxProducts === null ? '(none)' : formatNumber(settings.maxProducts)} dense-path products per sample keeps a seeded chunk of its output channels (the same for every pass and the crossover sweep of the layer) and its cycles are scaled by the exact ratio; results.csv names the chunk. Run with \`--max-products all\` for exact figures.`
        : 'Every tile ran whole: the figures are exact for the array cycle model.',
      '',
    ].join('\n');

    const several = settings.generators.length * settings.sparsities.length > 1;
    const runLabel = (r: { network: string; input: string; generator: string; sparsity: number }) => `${r.network}${several ? ` ${r.generator} ${r.sparsity}` : ''}`;
    const order = runs.map(runLabel);
    const speedupData = runs.flatMap((r) => [
      { run: runLabel(r), what: 'tile-based', speedup: r.speedupOverDense },
      { run: runLabel(r), what: 'all-sparse', speedup: r.sparseOverDense },
    ]);
    const publishedData = runs.filter((r) => PUBLISHED_SPEEDUP[r.network] !== undefined).map((r) => ({ run: runLabel(r), speedup: PUBLISHED_SPEEDUP[r.network]! }));
    const crossoverData = [...profiled.values()].flatMap((r) =>
      r.layers.flatMap((l) => l.crossover.points.map((p) => ({ network: r.network, layer: `${r.network} ${l.layer}`, density: p.density, ratio: p.sparseCycles / l.crossover.denseCycles }))),
    );
    const plots = [
      {
        name: 'speedup-by-network',
        title: 'Conv-layer speedup over all-dense tiles (Spartan\'s figure as a black tick)',
        spec: {
          layer: [
            {
              data: { values: speedupData },
              mark: 'bar',
              encoding: {
                x: { field: 'run', type: 'nominal', title: null, sort: order, axis: { labelAngle: -30, labelLimit: 240 } },
                xOffset: { field: 'what', type: 'nominal', sort: ['all-sparse', 'tile-based'] },
                y: { field: 'speedup', type: 'quantitative', title: 'speedup over all-dense (x)' },
                color: { field: 'what', type: 'nominal', title: null, sort: ['all-sparse', 'tile-based'], scale: { range: ['#9c9ede', '#e15759'] } },
              },
            },
            { data: { values: publishedData }, mark: { type: 'tick', color: '#000', thickness: 2 }, encoding: { x: { field: 'run', type: 'nominal', sort: order }, y: { field: 'speedup', type: 'quantitative' } } },
          ],
          width: 90 * Math.max(1, order.length) + 40,
          height: 220,
        },
      },
      {
        name: 'crossover',
        title: 'Cycles a tile adds on the sparse path / on the dense path, against its density (one line per layer)',
        spec: {
          layer: [
            {
              data: { values: crossoverData },
              mark: { type: 'line', point: true, opacity: 0.7 },
              encoding: {
                x: { field: 'density', type: 'quantitative', title: 'density of X (non-zeros / elements)', scale: { domain: [0, 1] } },
                y: { field: 'ratio', type: 'quantitative', title: 'sparse / dense cycles of a tile' },
                detail: { field: 'layer', type: 'nominal' },
                color: { field: 'network', type: 'nominal' },
              },
            },
            { mark: { type: 'rule', strokeDash: [4, 3], color: '#333' }, encoding: { y: { datum: 1 } } },
          ],
          width: 320,
          height: 220,
        },
      },
    ];

    return {
      figures: {
        array: { top: array.top, capacities: array.capacities },
        tileChannels: TILE_CHANNELS,
        paths: { dense: DENSE_PATH_MODE, sparse: SPARSE_PATH_MODE },
        crossoverDensities: CROSSOVER_DENSITIES,
        maxProducts: settings.maxProducts,
        geomean: runs.length ? { speedupOverDense: geomean(runs.map((r) => r.speedupOverDense)), speedupOverSparse: geomean(runs.map((r) => r.speedupOverSparse)) } : null,
        runs,
      },
      comparisons,
      rows,
      markdown: md,
      plots,
      madeBy: made,
    };
  },
};
