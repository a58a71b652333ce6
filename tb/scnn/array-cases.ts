import type { ConvShape, TrainingPass } from '../../sim/golden/conv-shape.ts';
import { deriveSeed } from '../../sim/golden/random.ts';
import type { ScheduleArray } from '../../sim/scnn/array-images.ts';
import { randomOperands, type PassCase, type UnitCapacities } from './array-check.ts';

/** Small unit capacities, so every pass splits into several units, window groups and broadcast pieces. */
export const SMALL_UNITS: UnitCapacities = { stationaryCapacity: 24, broadcastCapacity: 48, segmentCapacity: 6 };

const conv = (batch: number, inChannels: number, outChannels: number, size: number, kernel: number, stride: number, padding: number): ConvShape => ({
  batch, inChannels, outChannels, height: size, width: size + (size % 3 === 0 ? 0 : 2), kernelHeight: kernel, kernelWidth: kernel, stride, padding,
});

/**
 * Layer passes over the array sizes 1 x 1 to 3 x 3: odd map sizes, strides 1
 * and 2, paddings 0-3, channel counts that do not divide the groups,
 * densities 1%-100%, maps smaller than the grid, and fully-connected layers
 * (matrix mode).
 */
export function passCases(seed: number, passes: readonly TrainingPass[] = ['forward', 'inputGradient', 'weightGradient']): PassCase[] {
  const layers: { name: string; shape: ConvShape; density: number; grid: ScheduleArray }[] = [
    { name: 'conv 5x7 k3 s1 p1', shape: conv(1, 3, 5, 5, 3, 1, 1), density: 0.3, grid: { px: 2, py: 2 } },
    { name: 'conv 9x11 k3 s2 p0', shape: conv(1, 2, 3, 9, 3, 2, 0), density: 0.6, grid: { px: 3, py: 3 } },
    { name: 'conv 7x9 k3 s1 p2', shape: conv(2, 2, 3, 7, 3, 1, 2), density: 0.1, grid: { px: 3, py: 2 } },
    { name: 'conv 6x6 k5 s2 p3', shape: conv(1, 3, 2, 6, 5, 2, 3), density: 1, grid: { px: 2, py: 3 } },
    { name: 'conv 8x10 k1 s1 p0', shape: conv(1, 5, 3, 8, 1, 1, 0), density: 0.2, grid: { px: 1, py: 1 } },
    // One PE: its regions' halos meet in its own slice (the merge sends from a PE to itself).
    { name: 'conv 6x6 k3 s1 p1', shape: conv(1, 2, 3, 6, 3, 1, 1), density: 0.5, grid: { px: 1, py: 1 } },
    { name: 'conv 13x15 k3 s2 p1', shape: conv(1, 6, 8, 13, 3, 2, 1), density: 0.01, grid: { px: 3, py: 3 } },
    // Maps smaller than the grid, and pixels the stride skips: PEs whose tiles reach no output (empty windows).
    { name: 'conv 2x4 k3 s1 p1', shape: conv(1, 3, 4, 2, 3, 1, 1), density: 0.5, grid: { px: 3, py: 3 } },
    { name: 'conv 3x3 k1 s2 p0', shape: conv(1, 4, 3, 3, 1, 2, 0), density: 0.7, grid: { px: 3, py: 3 } },
    { name: 'fc 40 -> 7', shape: { batch: 3, inChannels: 40, outChannels: 7, height: 1, width: 1, kernelHeight: 1, kernelWidth: 1, stride: 1, padding: 0 }, density: 0.4, grid: { px: 3, py: 2 } },
    { name: 'fc 12 -> 19', shape: { batch: 2, inChannels: 12, outChannels: 19, height: 1, width: 1, kernelHeight: 1, kernelWidth: 1, stride: 1, padding: 0 }, density: 1, grid: { px: 3, py: 3 } },
  ];
  // Every other layer keeps a weight gradient's activations stationary; the rest leave the choice
  // to the scheduler's estimate (docs/pe-array.md section 4, step 1).
  return layers.flatMap((l, i) =>
    passes.map((pass): PassCase => ({
      label: l.name,
      shape: l.shape,
      pass,
      operands: randomOperands(l.shape, l.density, deriveSeed(seed, l.name)),
      grid: l.grid,
      capacities: SMALL_UNITS,
      ...(pass === 'weightGradient' && i % 2 === 0 ? { weightGradientStationary: 'activations' as const } : {}),
    })),
  );
}

/** A layer whose every pass needs more than one run of the 3 x 3 test array (32 output channels of a 15 x 17 map, in small units). */
export const RUNS_CASE = (() => {
  const shape: ConvShape = { batch: 1, inChannels: 3, outChannels: 32, height: 15, width: 17, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1 };
  return { shape, operands: randomOperands(shape, 0.3, deriveSeed(5, 'array runs')), grid: { px: 3, py: 3 } as ScheduleArray };
})();
