import type { ArrayTopParams } from '../../hw/scnn/array-params.ts';
import { outputHeight, outputWidth, type ConvShape, type TrainingPass } from '../../sim/golden/conv-shape.ts';
import { Rng } from '../../sim/golden/random.ts';
import { countRcpFast } from '../../sim/golden/rcp-count.ts';
import { scheduleConfig, type ArrayConfig, type UnitCapacities, type WeightGradientMapping, type WeightGradientStationary } from '../../sim/scnn/array-config.ts';
import { arrayCycleModel, ARRAY_COUNTER_NAMES, type ArrayCounters } from '../../sim/scnn/array-cycle-model.ts';
import type { ScheduleArray } from '../../sim/scnn/array-images.ts';
import { firstMismatch, goldenPassOutput, isFullyConnected, schedulePass } from '../../sim/scnn/layer-run.ts';
import type { ConvOperands } from '../../sim/scnn/scheduler.ts';
import { matmulValid, scheduledProducts } from '../../sim/scnn/training-step.ts';
import { ANTICIPATION_MODES, type Anticipation } from '../../sim/scnn/work-unit.ts';
import type { VerilatedModel } from '../../sim/verilator/build.ts';
import { check } from '../testbench.ts';
import { runArrayTop } from './array-run.ts';

export type { UnitCapacities };

export interface PassCase {
  readonly label: string;
  readonly shape: ConvShape;
  readonly pass: TrainingPass;
  readonly operands: ConvOperands;
  /** The PE grid the pass is scheduled on (at most the array's). */
  readonly grid: ScheduleArray;
  readonly capacities: UnitCapacities;
  /** How a weight gradient is mapped (the scheduler's `auto` when absent). */
  readonly weightGradientMapping?: WeightGradientMapping;
  /** Which operand of a weight gradient stays in the PEs (the scheduler's `auto` when absent). */
  readonly weightGradientStationary?: WeightGradientStationary;
}

export { scheduleConfig };

/** The scheduler's view of the array for a case: its grid, capacities and weight-gradient choices. */
export function caseConfig(params: ArrayTopParams, c: PassCase): ArrayConfig {
  const config = scheduleConfig(params, c.grid, c.capacities);
  return {
    ...config,
    ...(c.weightGradientMapping ? { weightGradientMapping: c.weightGradientMapping } : {}),
    ...(c.weightGradientStationary ? { weightGradientStationary: c.weightGradientStationary } : {}),
  };
}

/**
 * Seeded random operands of a layer: activations ReLU-shaped (non-negative),
 * weights and output gradients signed, each element non-zero with the given
 * density, magnitudes small enough that no accumulator overflows.
 */
export function randomOperands(shape: ConvShape, density: number, seed: number): ConvOperands {
  const rng = new Rng(seed);
  const { batch: N, inChannels: C, outChannels: K, height: H, width: W, kernelHeight: R, kernelWidth: S } = shape;
  const draw = (count: number, signed: boolean) =>
    Int32Array.from({ length: count }, () => {
      if (rng.nextFloat() >= density) return 0;
      const v = 1 + rng.nextInt(100);
      return signed && rng.nextFloat() < 0.5 ? -v : v;
    });
  return {
    activations: draw(N * C * H * W, false),
    weights: draw(K * C * R * S, true),
    outputGradients: draw(N * K * outputHeight(shape) * outputWidth(shape), true),
  };
}

export interface PassCheck {
  readonly units: number;
  readonly groups: number;
  readonly counters: Readonly<Record<Anticipation, ArrayCounters>>;
  readonly golden: { readonly products: number; readonly valid: number };
}

/**
 * Schedules a layer pass, runs all its work units on the array top in one bulk
 * run per anticipation mode and holds it to the golden model: the output
 * read from the slices equals the golden layer output bit for bit, every counter equals the
 * array cycle model, valid products equal the golden valid count in every
 * mode, and RCPs computed + anticipated equal the golden RCPs.
 */
export async function checkPassAllModes(model: VerilatedModel, params: ArrayTopParams, c: PassCase, seed: number): Promise<PassCheck> {
  const schedule = schedulePass(c.shape, c.pass, c.operands, caseConfig(params, c), c.label);
  const golden = goldenPassOutput(c.shape, c.pass, c.operands, c.label);
  const counts = isFullyConnected(c.shape)
    ? { products: scheduledProducts(schedule), valid: matmulValid(c.shape, c.pass, c.operands) }
    : countRcpFast(c.shape, c.operands)[c.pass];
  const counters = {} as Record<Anticipation, ArrayCounters>;
  for (const mode of ANTICIPATION_MODES) {
    const where = `${c.label} (${c.pass}, ${c.grid.px} x ${c.grid.py}, ${schedule.units.length} units), mode ${mode}`;
    const run = await runArrayTop(model, params, schedule, c.grid, mode, { seed });
    check(!run.timedOut, () => `${where}: the watchdog ended the run`);
    const mismatch = firstMismatch(run.output, golden);
    check(mismatch === undefined, () => `${where}: the output slices differ from the golden layer: ${mismatch}`);
    const predicted = arrayCycleModel(schedule, c.grid, params, mode).counters;
    for (const k of ARRAY_COUNTER_NAMES) {
      check(run.counters[k] === predicted[k], () => `${where}: counter ${k} is ${run.counters[k]} on the RTL, the array cycle model predicts ${predicted[k]}`);
    }
    const rc = run.counters;
    // Products the schedule's bands never form are RCPs the array never sees (PassSchedule.unformedProducts).
    const products = rc.goldenProducts + schedule.unformedProducts;
    check(rc.validProducts === counts.valid, () => `${where}: ${rc.validProducts} valid products, the golden count is ${counts.valid}`);
    check(products === counts.products, () => `${where}: ${rc.goldenProducts} Cartesian products counted and ${schedule.unformedProducts} never formed, the golden count is ${counts.products}`);
    const computed = rc.busySlots - rc.validProducts;
    const anticipated = products - rc.busySlots;
    check(computed + anticipated === counts.products - counts.valid, () => `${where}: RCPs computed ${computed} + anticipated ${anticipated} != golden RCPs ${counts.products - counts.valid}`);
    counters[mode] = run.counters;
  }
  return { units: schedule.units.length, groups: new Set(schedule.units.map((u) => u.group)).size, counters, golden: counts };
}
