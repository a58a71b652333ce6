/**
 * rcp-breakdown: how many of a sparse training step's Cartesian products are
 * redundant (RCPs), per pass and per layer, for ANT's five networks and each
 * sparsity generator. ANT (ISCA 2022): "up to 90% of computations are RCPs,
 * mostly in the weight-gradient pass". Figures come from the exact golden
 * counters (sim/golden/rcp-count.ts) on operands the generators synthesise.
 */
import { TRAINING_PASSES, type TrainingPass } from '../golden/conv-shape.ts';
import { getNetwork } from '../workloads/networks/index.ts';
import { layerTotals, runLayerRcp, type LayerReport, type PassReport } from '../workloads/network-rcp.ts';
import { GENERATORS } from '../workloads/sparsity/generators.ts';
import type { Comparison, CsvRow, Experiment, ExperimentSettings } from './experiment.ts';
import { ANT_NETWORKS, layerRuns, layerUnits } from './layer-units.ts';
import { formatNumber } from './output.ts';

/** Multipliers per PE in SCNN and ANT (4 x 4). */
const MULTIPLIERS_PER_PE = 16;

export const PASS_LABEL: Record<TrainingPass, string> = {
  forward: 'forward',
  inputGradient: 'input gradient',
  weightGradient: 'weight gradient',
};

const MADE_BY = 'golden RCP counters (countRcpFast / countRcpDense, sim/golden/rcp-count.ts) on generator operands';


export function multipliersOf(settings: ExperimentSettings): number {
  return settings.array.px * settings.array.py * MULTIPLIERS_PER_PE;
}

function shareOf(part: number, whole: number): number {
  return whole === 0 ? 0 : part / whole;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

export const rcpBreakdown: Experiment = {
  name: 'rcp-breakdown',
  title: 'RCP breakdown of sparse training, per pass and per layer',
  reproduces: 'ANT (ISCA 2022): up to 90% of the computations of sparse training are redundant Cartesian products, mostly in the weight-gradient pass',
  accepts: ['nets', 'sparsities', 'generators', 'batch', 'seed', 'array'],
  defaults: {
    nets: ANT_NETWORKS,
    sparsities: [0.9],
    generators: Object.keys(GENERATORS),
  },
  workUnits(settings) {
    return layerUnits(settings);
  },
  async runUnit(unit, settings) {
    const table = getNetwork(String(unit.params.net), unit.params.input as 'cifar' | 'imagenet');
    const layer = table.layers[Number(unit.params.layerIndex)]!;
    return runLayerRcp(
      layer,
      {
        sparsity: Number(unit.params.sparsity),
        generator: String(unit.params.generator),
        seed: settings.seed,
        batch: settings.batch,
        multipliers: multipliersOf(settings),
      },
      Number(unit.params.layerIndex) === 0,
    );
  },
  report(settings, units, results) {
    const all = layerRuns<LayerReport>(units, results);
    const rows: CsvRow[] = [];
    const networkFigures = all.map((g) => {
      const totals = layerTotals(g.layers);
      const step = totals.training;
      const rcpShareByPass = Object.fromEntries(TRAINING_PASSES.map((p) => [p, shareOf(totals[p].redundant, step.products)])) as Record<TrainingPass, number>;
      const emit = (layer: string, passes: Record<TrainingPass, PassReport>, products: number) => {
        for (const pass of TRAINING_PASSES) {
          const r = passes[pass];
          rows.push({
            network: g.net, input: g.input, generator: g.generator, sparsity: g.sparsity, layer, pass,
            macs: r.macs, products: r.products, valid: r.valid, redundant: r.redundant,
            rcpFraction: r.rcpFraction, rcpShareOfLayerProducts: shareOf(r.redundant, products),
          });
        }
      };
      for (const l of g.layers) emit(l.name, l.passes, TRAINING_PASSES.reduce((s, p) => s + l.passes[p].products, 0));
      emit('(all layers)', totals, step.products);
      return {
        network: g.net,
        input: g.input,
        generator: g.generator,
        sparsity: g.sparsity,
        rcpShareOfStep: step.rcpFraction,
        rcpShareByPass,
        weightGradientShareOfRcps: shareOf(totals.weightGradient.redundant, step.redundant),
        rcpFractionWithinPass: Object.fromEntries(TRAINING_PASSES.map((p) => [p, totals[p].rcpFraction])),
        totals,
        layers: g.layers,
      };
    });

    const comparisons: Comparison[] = [];
    if (networkFigures.length) {
      // ANT's workload is SWAT top-K; the other generators are shown beside it.
      const swat = networkFigures.filter((f) => f.generator === 'topk');
      const pool = swat.length ? swat : networkFigures;
      const top = pool.reduce((a, b) => (b.rcpShareOfStep > a.rcpShareOfStep ? b : a));
      const least = pool.reduce((a, b) => (b.rcpShareOfStep < a.rcpShareOfStep ? b : a));
      comparisons.push({
        claim: `RCP share of a training step${swat.length ? ', topk (SWAT, ANT\'s workload)' : ''}, largest over the networks`,
        published: 'up to 90%',
        publishedValue: 0.9,
        ours: top.rcpShareOfStep,
        oursText: `${pct(top.rcpShareOfStep)} (${top.network} ${top.input}, ${top.generator}, sparsity ${top.sparsity}); smallest ${pct(least.rcpShareOfStep)} (${least.network})`,
        ratio: top.rcpShareOfStep / 0.9,
        madeBy: 'golden RCP counters',
      });
      const wg = networkFigures.map((f) => f.weightGradientShareOfRcps);
      const low = Math.min(...wg);
      comparisons.push({
        claim: 'share of RCPs from the weight-gradient pass (lowest over the runs)',
        published: '"mostly" (> 50%)',
        publishedValue: null,
        ours: low,
        oursText: `${pct(low)} to ${pct(Math.max(...wg))}; > 50% in ${wg.filter((x) => x > 0.5).length} of ${wg.length} runs`,
        ratio: null,
        madeBy: 'golden RCP counters',
      });
    }

    const table = [
      '## RCP share of the training step',
      '',
      'Share of all Cartesian products of one training step (three passes, every layer) that are RCPs, split by the pass they occur in; "wgrad share" is the weight-gradient pass\'s part of all RCPs.',
      '',
      '| network | input | generator | sparsity | RCP share | forward | input grad | weight grad | wgrad share of RCPs | products |',
      '|---|---|---|---|---|---|---|---|---|---|',
      ...networkFigures.map(
        (f) =>
          `| ${f.network} | ${f.input} | ${f.generator} | ${f.sparsity} | ${pct(f.rcpShareOfStep)} | ${pct(f.rcpShareByPass.forward)} | ${pct(f.rcpShareByPass.inputGradient)} | ${pct(f.rcpShareByPass.weightGradient)} | ${pct(f.weightGradientShareOfRcps)} | ${formatNumber(f.totals.training.products)} |`,
      ),
      '',
      `Batch ${settings.batch}; ideal cycles in results.csv and results.json assume ${multipliersOf(settings)} multipliers (${settings.array.px}x${settings.array.py} PEs x 4x4).`,
      'Generators: ' + settings.generators.map((g) => `\`${g}\`: ${GENERATORS[g]!.summary}`).join('; ') + '.',
      '',
    ].join('\n');

    const stackData = networkFigures.flatMap((f) => [
      { network: `${f.network} (${f.input})`, generator: f.generator, sparsity: f.sparsity, category: 'valid products', order: 0, share: 1 - f.rcpShareOfStep },
      ...TRAINING_PASSES.map((p, i) => ({
        network: `${f.network} (${f.input})`, generator: f.generator, sparsity: f.sparsity, category: `RCP, ${PASS_LABEL[p]}`, order: i + 1, share: f.rcpShareByPass[p],
      })),
    ]);
    const categories = ['valid products', ...TRAINING_PASSES.map((p) => `RCP, ${PASS_LABEL[p]}`)];
    const colors = ['#9e9e9e', '#4e79a7', '#59a14f', '#e15759'];
    const color = { field: 'category', type: 'nominal', title: null, scale: { domain: categories, range: colors }, sort: categories };
    const facetRow = settings.sparsities.length > 1 ? { row: { field: 'sparsity', type: 'ordinal', title: 'sparsity' } } : {};
    const plots = [
      {
        name: 'rcp-share-by-network',
        title: 'Cartesian products of one sparse training step: valid and RCPs by pass',
        spec: {
          data: { values: stackData },
          mark: 'bar',
          encoding: {
            x: { field: 'network', type: 'nominal', title: null, axis: { labelAngle: -40 }, sort: settings.nets.map((n) => `${n.name} (${n.input})`) },
            y: { field: 'share', type: 'quantitative', title: 'share of products', axis: { format: '%' }, stack: 'zero' },
            color,
            order: { field: 'order', type: 'quantitative' },
            column: { field: 'generator', type: 'nominal', title: 'generator', sort: [...settings.generators] },
            ...facetRow,
          },
          width: 40 * settings.nets.length + 20,
          height: 220,
        },
      },
      ...settings.nets.map((net) => {
        const label = `${net.name}-${net.input}`;
        const values = networkFigures
          .filter((f) => f.network === net.name && f.input === net.input)
          .flatMap((f) =>
            f.layers.flatMap((l, index) => {
              const products = TRAINING_PASSES.reduce((s, p) => s + l.passes[p].products, 0);
              return TRAINING_PASSES.map((p, i) => ({
                layer: `${String(index).padStart(3, '0')} ${l.name}`, generator: f.generator, sparsity: f.sparsity,
                category: `RCP, ${PASS_LABEL[p]}`, order: i + 1, share: shareOf(l.passes[p].redundant, products),
              }));
            }),
          );
        return {
          name: `rcp-per-layer-${label}`,
          title: `${net.name} (${net.input}): RCP share of each layer's products, by pass`,
          spec: {
            data: { values },
            mark: 'bar',
            encoding: {
              x: { field: 'layer', type: 'ordinal', title: 'layer', axis: { labelAngle: -60, labelFontSize: 8 } },
              y: { field: 'share', type: 'quantitative', title: 'RCP share', axis: { format: '%' }, scale: { domain: [0, 1] } },
              color: { ...color, scale: { domain: categories.slice(1), range: colors.slice(1) }, sort: categories.slice(1) },
              order: { field: 'order', type: 'quantitative' },
              row: { field: 'generator', type: 'nominal', title: null, sort: [...settings.generators], header: { labelAngle: 0, labelAlign: 'left', labelOrient: 'top' } },
              ...(settings.sparsities.length > 1 ? { column: { field: 'sparsity', type: 'ordinal' } } : {}),
            },
            width: Math.max(200, 9 * (values.length / (3 * settings.generators.length * settings.sparsities.length))),
            height: 110,
          },
        };
      }),
    ];

    return {
      figures: { multipliers: multipliersOf(settings), runs: networkFigures },
      comparisons,
      rows,
      markdown: table,
      plots,
      madeBy: MADE_BY,
    };
  },
};
