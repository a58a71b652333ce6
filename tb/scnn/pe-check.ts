import type { PeTopParams } from '../../hw/scnn/pe-top.ts';
import { cycleModel, derivedCounters, type PeCounters } from '../../sim/scnn/cycle-model.ts';
import { referenceWorkUnit } from '../../sim/scnn/reference.ts';
import { ANTICIPATION_MODES, type Anticipation, type WorkUnit } from '../../sim/scnn/work-unit.ts';
import type { VerilatedModel } from '../../sim/verilator/build.ts';
import { check } from '../testbench.ts';
import { runPeTop } from './pe-run.ts';

export interface UnitCheck {
  readonly counters: Readonly<Record<Anticipation, PeCounters>>;
  readonly products: number;
  readonly valid: number;
}

/**
 * Runs one work unit on the RTL in every anticipation mode and holds it to
 * the reference and the cycle model: accumulators bit for bit, every counter
 * exactly, valid products equal in every mode and to the reference, RCPs
 * computed + anticipated = the reference's RCPs.
 */
export async function checkUnitAllModes(model: VerilatedModel, params: PeTopParams, unit: WorkUnit, label: string, seed: number): Promise<UnitCheck> {
  const ref = referenceWorkUnit(unit, params.pe.accWidth)[0]!;
  const counters = {} as Record<Anticipation, PeCounters>;
  for (const mode of ANTICIPATION_MODES) {
    const run = await runPeTop(model, params, unit, mode, { seed });
    const where = `${label}, mode ${mode}`;
    check(!run.timedOut, () => `${where}: the watchdog ended the run`);
    const bad = ref.accumulators.findIndex((v, i) => run.accumulators[i] !== v);
    check(bad < 0, () => `${where}: accumulator ${bad} is ${run.accumulators[bad]}, the reference has ${ref.accumulators[bad]}`);
    const predicted = cycleModel(unit, params, mode);
    for (const k of Object.keys(predicted) as (keyof PeCounters)[]) {
      check(run.counters[k] === predicted[k], () => `${where}: counter ${k} is ${run.counters[k]} on the RTL, the cycle model predicts ${predicted[k]}`);
    }
    const d = derivedCounters(run.counters);
    for (const k of Object.keys(run.derived) as (keyof typeof run.derived)[]) {
      check(run.derived[k] === d[k], () => `${where}: the top's ${k} is ${run.derived[k]}, the counters give ${d[k]}`);
    }
    check(run.counters.validProducts === ref.valid, () => `${where}: ${run.counters.validProducts} valid products, the reference has ${ref.valid}`);
    check(run.counters.goldenProducts === ref.products, () => `${where}: ${run.counters.goldenProducts} golden products counted, the reference has ${ref.products}`);
    check(d.rcpsComputed + d.rcpsAnticipated === ref.products - ref.valid, () => `${where}: RCPs computed ${d.rcpsComputed} + anticipated ${d.rcpsAnticipated} != reference RCPs ${ref.products - ref.valid}`);
    counters[mode] = run.counters;
  }
  return { counters, products: ref.products, valid: ref.valid };
}
