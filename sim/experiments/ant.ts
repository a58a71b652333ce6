/**
 * ant: RCP anticipation on the SCNN-like array. Every layer of a training step
 * (forward, input gradient, weight gradient) runs on the array in the three
 * anticipation modes: off (SCNN), vector (pairs the range test rejects are
 * skipped) and element (ANT: single RCPs dropped too). Reported against ANT
 * (ISCA 2022): 3.71x geomean speedup over SCNN at 90% sparsity, over 90% of
 * RCPs anticipated, 4.40x less energy.
 */
import { ANTICIPATION_MODES, type Anticipation } from '../scnn/work-unit.ts';
import type { ArrayCounters } from '../scnn/array-cycle-model.ts';
import { TRAINING_PASSES, type TrainingPass } from '../golden/conv-shape.ts';
import { GENERATORS } from '../workloads/sparsity/generators.ts';
import { arrayOf, geomean, layerExperimentUnits, LAYER_EXPERIMENT_SETTINGS, runLayerPasses, sumCounters, unitLayer, type PassRecord } from './array-experiments.ts';
import { multipliersOfArray, passFigures } from './engine.ts';
import { engineMadeBy } from './pe-array-engines.ts';
import { arrayEnergyEvents, energyPj, energyRatio, ENERGY_NODE, sumEvents, type ArrayWidths, type EnergyEvents } from './energy.ts';
import type { Comparison, CsvRow, Experiment, ExperimentSettings } from './experiment.ts';
import { ANT_NETWORKS, layerRuns } from './layer-units.ts';
import { formatNumber, pct, x2 } from './output.ts';
import { describeSample } from './pass-sampling.ts';
import { PASS_LABEL } from './rcp-breakdown.ts';

/** Products of one layer pass above which the model samples it (docs/experiments.md, "Sampling"). */
export const ANT_MAX_PRODUCTS = 100_000_000;

const PUBLISHED = { speedup: 3.71, anticipated: 0.9, energy: 4.4 };

export interface AntLayerResult {
  readonly layer: string;
  readonly index: number;
  readonly passes: readonly PassRecord[];
}

export function arrayWidthsOf(settings: Pick<ExperimentSettings, 'array'>): ArrayWidths {
  const top = arrayOf(settings).top;
  return { F: top.pe.F, fillWidth: top.fillWidth, elementBits: top.pe.valueWidth + 3 * top.pe.coordBits, accBits: top.pe.accWidth, pes: top.px * top.py, banks: top.pe.banks };
}

/** Figures of a set of passes (a pass over all layers, or the whole step) in every mode. */
export function stepFigures(records: readonly PassRecord[], multipliers: number, widths: ArrayWidths) {
  const total = Object.fromEntries(ANTICIPATION_MODES.map((m) => [m, sumCounters(records.map((r) => r.byMode[m]!))])) as Record<Anticipation, ArrayCounters>;
  const fig = Object.fromEntries(ANTICIPATION_MODES.map((m) => [m, passFigures(total[m], multipliers)])) as Record<Anticipation, ReturnType<typeof passFigures>>;
  const valid = records.reduce((s, r) => s + r.golden.valid, 0);
  const rcps = fig.element.rcpsComputed + fig.element.rcpsAnticipated;
  // Per pass: a pass that drains through the reduction network moves one slice row per drain cycle, not every PE's.
  const events = Object.fromEntries(
    ANTICIPATION_MODES.map((m) => [m, sumEvents(records.map((r) => arrayEnergyEvents(r.byMode[m]!, widths, r.reducedDrain ?? false)))]),
  ) as Record<Anticipation, EnergyEvents>;
  const energy = Object.fromEntries(ANTICIPATION_MODES.map((m) => [m, energyPj(events[m]).total])) as Record<Anticipation, number>;
  return {
    cycles: { off: fig.off.cycles, vector: fig.vector.cycles, element: fig.element.cycles },
    computeCycles: { off: fig.off.computeCycles, vector: fig.vector.computeCycles, element: fig.element.computeCycles },
    phases: fig,
    speedup: { vector: fig.off.cycles / fig.vector.cycles, element: fig.off.cycles / fig.element.cycles },
    computeSpeedup: { vector: fig.off.computeCycles / fig.vector.computeCycles, element: fig.off.computeCycles / fig.element.computeCycles },
    /** RCPs removed before the multipliers, of all RCPs, in element mode (ANT's ">90% anticipated"). */
    rcpShareAnticipated: rcps === 0 ? 0 : fig.element.rcpsAnticipated / rcps,
    rcpShareAnticipatedVector: rcps === 0 ? 0 : fig.vector.rcpsAnticipated / rcps,
    utilisation: { off: fig.off.utilisation, vector: fig.vector.utilisation, element: fig.element.utilisation },
    /** Exact golden valid products over the multipliers: no array does the step in fewer cycles. */
    idealCycles: valid / multipliers,
    validProducts: valid,
    energyPj: energy,
    energyRatio: { vector: energyRatio(events.off, events.vector), element: energyRatio(events.off, events.element) },
    sampledPasses: records.filter((r) => r.sample.scale !== 1).length,
    passes: records.length,
  };
}

export const antExperiment: Experiment = {
  name: 'ant',
  title: 'ANT: RCP anticipation on an SCNN-like array',
  reproduces: 'ANT (ISCA 2022): 3.71x geomean speedup and 4.40x less energy than an SCNN-like array at 90% sparsity, over 90% of RCPs anticipated',
  accepts: LAYER_EXPERIMENT_SETTINGS,
  defaults: {
    nets: ANT_NETWORKS,
    sparsities: [0.9],
    generators: ['topk'],
    batch: 1,
    maxProducts: ANT_MAX_PRODUCTS,
  },
  ...layerExperimentUnits('ant'),
  async runUnit(unit, settings, context): Promise<AntLayerResult> {
    const { layer, index, shape, operands } = unitLayer(unit, settings);
    const passes = await runLayerPasses(shape, operands, {
      array: arrayOf(settings),
      engine: context.engine,
      modes: ANTICIPATION_MODES,
      passes: TRAINING_PASSES,
      maxProducts: settings.maxProducts,
      seed: settings.seed,
      label: layer.name,
    });
    return { layer: layer.name, index, passes };
  },
  report(settings, units, results) {
    const array = arrayOf(settings);
    const M = multipliersOfArray(array);
    const widths = arrayWidthsOf(settings);
    const runs = layerRuns<AntLayerResult>(units, results);
    const rows: CsvRow[] = [];
    const networks = runs.map((run) => {
      const all = run.layers.flatMap((l) => l.passes);
      const byPass = Object.fromEntries(TRAINING_PASSES.map((p) => [p, stepFigures(all.filter((r) => r.pass === p), M, widths)])) as Record<TrainingPass, ReturnType<typeof stepFigures>>;
      const step = stepFigures(all, M, widths);
      for (const l of run.layers) {
        for (const r of l.passes) {
          for (const mode of ANTICIPATION_MODES) {
            const f = passFigures(r.byMode[mode]!, M);
            rows.push({
              network: run.net, input: run.input, generator: run.generator, sparsity: run.sparsity, layer: l.layer, pass: r.pass, dataflow: r.dataflow, mode,
              sample: describeSample(r.sample), scale: r.sample.scale, units: r.units, runs: r.runs,
              cycles: f.cycles, descriptorCycles: f.descriptorCycles, fillCycles: f.fillCycles, computeCycles: f.computeCycles, drainCycles: f.drainCycles,
              busySlots: f.busySlots, validProducts: f.validProducts, cartesianProducts: f.cartesianProducts, rcpsComputed: f.rcpsComputed, rcpsAnticipated: f.rcpsAnticipated,
              candidatePairs: f.candidatePairs, issuedPairs: f.issuedPairs, conflictStalls: f.conflictStalls, utilisation: f.utilisation,
              goldenValid: r.golden.valid, goldenProducts: r.golden.products, idealCycles: r.golden.valid / M,
            });
          }
        }
      }
      return { network: run.net, input: run.input, generator: run.generator, sparsity: run.sparsity, step, byPass, layers: run.layers };
    });

    const comparisons: Comparison[] = [];
    const made = `${engineMadeBy(settings.engine)}${networks.some((n) => n.step.sampledPasses) ? ', large passes sampled' : ''}`;
    if (networks.length) {
      const g = geomean(networks.map((n) => n.step.speedup.element));
      const gv = geomean(networks.map((n) => n.step.speedup.vector));
      const gc = geomean(networks.map((n) => n.step.computeSpeedup.element));
      comparisons.push({
        claim: 'geomean speedup of a training step over the SCNN-like array (anticipation element vs off)',
        published: '3.71x',
        publishedValue: PUBLISHED.speedup,
        ours: g,
        oursText: `${x2(g)} (vector ${x2(gv)}; compute phase alone ${x2(gc)}) over ${networks.length} run(s)`,
        ratio: g / PUBLISHED.speedup,
        madeBy: made,
      });
      const ant = networks.map((n) => n.step.rcpShareAnticipated);
      const low = Math.min(...ant);
      comparisons.push({
        claim: 'share of RCPs anticipated (removed before the multipliers), lowest over the networks',
        published: '> 90%',
        publishedValue: PUBLISHED.anticipated,
        ours: low,
        oursText: `${pct(low)} to ${pct(Math.max(...ant))}`,
        ratio: low / PUBLISHED.anticipated,
        madeBy: made,
      });
      const e = geomean(networks.map((n) => n.step.energyRatio.element));
      comparisons.push({
        claim: `energy of a training step, SCNN-like / ANT (geomean; per-event model at ${ENERGY_NODE})`,
        published: '4.40x',
        publishedValue: PUBLISHED.energy,
        ours: e,
        oursText: x2(e),
        ratio: e / PUBLISHED.energy,
        madeBy: `${made}; energy model sim/experiments/energy.ts`,
      });
    }

    const sampled = networks.reduce((s, n) => s + n.step.sampledPasses, 0);
    const passCount = networks.reduce((s, n) => s + n.step.passes, 0);
    const md = [
      '## Training step on the array, per network',
      '',
      `Array: ${array.top.px}x${array.top.py} PEs of ${array.top.pe.F}x${array.top.pe.I} multipliers (${M}), ${array.top.pe.banks} banks x ${array.top.pe.bankDepth} entries, fill ${array.top.fillWidth} elements/cycle; work units up to ${array.capacities.stationaryCapacity} stationary / ${array.capacities.broadcastCapacity} broadcast elements, ${array.capacities.segmentCapacity} segments. Batch ${settings.batch}, seed ${settings.seed}.`,
      '',
      '| network | generator | sparsity | cycles off | vector | element | speedup vector | speedup element | compute-phase speedup | RCPs anticipated | utilisation off / element | ideal bound (cycles) | off / ideal | energy off / element |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
      ...networks.map((n) => {
        const s = n.step;
        return `| ${n.network} (${n.input}) | ${n.generator} | ${n.sparsity} | ${formatNumber(Math.round(s.cycles.off))} | ${formatNumber(Math.round(s.cycles.vector))} | ${formatNumber(Math.round(s.cycles.element))} | ${x2(s.speedup.vector)} | ${x2(s.speedup.element)} | ${x2(s.computeSpeedup.element)} | ${pct(s.rcpShareAnticipated)} | ${pct(s.utilisation.off)} / ${pct(s.utilisation.element)} | ${formatNumber(Math.round(s.idealCycles))} | ${x2(s.cycles.off / s.idealCycles)} | ${x2(s.energyRatio.element)} |`;
      }),
      '',
      '## Per pass',
      '',
      '| network | pass | cycles off | vector | element | speedup element | compute-phase speedup | drain share (element) | RCPs anticipated | utilisation element |',
      '|---|---|---|---|---|---|---|---|---|---|',
      ...networks.flatMap((n) =>
        TRAINING_PASSES.map((p) => {
          const s = n.byPass[p];
          return `| ${n.network} (${n.input}) ${n.generator} ${n.sparsity} | ${PASS_LABEL[p]} | ${formatNumber(Math.round(s.cycles.off))} | ${formatNumber(Math.round(s.cycles.vector))} | ${formatNumber(Math.round(s.cycles.element))} | ${x2(s.speedup.element)} | ${x2(s.computeSpeedup.element)} | ${pct(s.phases.element.drainCycles / s.phases.element.cycles)} | ${pct(s.rcpShareAnticipated)} | ${pct(s.utilisation.element)} |`;
        }),
      ),
      '',
      'Speedup = cycles off / cycles in the mode, summed over every layer and pass. "Compute-phase speedup" counts only the cycles the PEs compute (no descriptor, fill or drain): no anticipation shortens the fill or the drain. RCPs anticipated = RCPs removed before the multipliers / all RCPs (exact golden count), element mode. Utilisation = valid products / (cycles x multipliers). Ideal bound = exact golden valid products / multipliers.',
      '',
      sampled
        ? `**Sampled:** ${sampled} of ${passCount} layer passes had more than ${settings.maxProducts === null ? '(none)' : formatNumber(settings.maxProducts)} Cartesian products and ran as a seeded slice of the layer (cut along the batch and the channels, docs/experiments.md "Sampling") whose counters are scaled by the exact whole/slice ratio; results.csv names each slice. Valid-product counts and the ideal bound are exact golden counts of the whole pass. Run with \`--max-products all\` for exact figures.`
        : 'Every layer pass ran whole: the figures are exact for the array cycle model.',
      '',
      `Energy: per-event model at ${ENERGY_NODE} (docs/experiments.md, "Energy model") applied to the array counters; ratios only.`,
      'Generators: ' + settings.generators.map((g) => `\`${g}\`: ${GENERATORS[g]!.summary}`).join('; ') + '.',
      '',
    ].join('\n');

    // A run is named by its network, and by generator and sparsity only when several are asked for.
    const several = settings.generators.length * settings.sparsities.length > 1;
    const runLabel = (n: { network: string; input: string; generator: string; sparsity: number }) => `${n.network} (${n.input})${several ? ` ${n.generator} ${n.sparsity}` : ''}`;
    const speedupData = networks.flatMap((n) =>
      (['vector', 'element'] as const).map((mode) => ({ network: runLabel(n), mode, speedup: n.step.speedup[mode] })),
    );
    const phaseData = networks.flatMap((n) =>
      ANTICIPATION_MODES.flatMap((mode) =>
        (['descriptorCycles', 'fillCycles', 'computeCycles', 'drainCycles'] as const).map((phase, order) => ({
          network: runLabel(n), mode, phase: phase.replace('Cycles', ''), order, cycles: n.step.phases[mode][phase],
        })),
      ),
    );
    const sortRuns = networks.map(runLabel);
    const plots = [
      {
        name: 'speedup-by-network',
        title: 'Speedup of a sparse training step over the SCNN-like array (anticipation off)',
        spec: {
          data: { values: speedupData },
          layer: [
            {
              mark: 'bar',
              encoding: {
                x: { field: 'network', type: 'nominal', title: null, axis: { labelAngle: -30, labelLimit: 240 }, sort: sortRuns },
                xOffset: { field: 'mode', type: 'nominal', sort: ['vector', 'element'] },
                y: { field: 'speedup', type: 'quantitative', title: 'speedup (x)' },
                color: { field: 'mode', type: 'nominal', title: 'anticipation', sort: ['vector', 'element'], scale: { range: ['#4e79a7', '#e15759'] } },
              },
            },
            { mark: { type: 'rule', strokeDash: [4, 3], color: '#333' }, encoding: { y: { datum: PUBLISHED.speedup } } },
          ],
          width: 60 * sortRuns.length + 40,
          height: 220,
        },
      },
      {
        name: 'cycle-phases',
        title: 'Cycles of a training step by phase of the array, per anticipation mode',
        spec: {
          data: { values: phaseData },
          mark: 'bar',
          encoding: {
            x: { field: 'mode', type: 'nominal', title: null, sort: [...ANTICIPATION_MODES] },
            y: { field: 'cycles', type: 'quantitative', title: 'cycles', stack: 'zero' },
            color: { field: 'phase', type: 'nominal', sort: ['descriptor', 'fill', 'compute', 'drain'] },
            order: { field: 'order', type: 'quantitative' },
            column: { field: 'network', type: 'nominal', title: null, sort: sortRuns },
          },
          width: 90,
          height: 200,
        },
      },
    ];

    return {
      figures: {
        array: { top: array.top, capacities: array.capacities, multipliers: M },
        maxProducts: settings.maxProducts,
        geomean: networks.length
          ? { speedupElement: geomean(networks.map((n) => n.step.speedup.element)), speedupVector: geomean(networks.map((n) => n.step.speedup.vector)), computeSpeedupElement: geomean(networks.map((n) => n.step.computeSpeedup.element)), energyRatioElement: geomean(networks.map((n) => n.step.energyRatio.element)) }
          : null,
        networks,
      },
      comparisons,
      rows,
      markdown: md,
      plots,
      madeBy: made,
    };
  },
};
