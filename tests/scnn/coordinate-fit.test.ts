import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ARRAY_TOP, type ArrayTopParams } from '../../hw/scnn/array-params.ts';
import type { ConvShape, TrainingPass } from '../../sim/golden/conv-shape.ts';
import { peCapacities, scheduleConfig } from '../../sim/scnn/array-config.ts';
import { encodePassRuns } from '../../sim/scnn/array-runs.ts';
import { schedulePass } from '../../sim/scnn/layer-run.ts';
import { scheduleConvPass } from '../../sim/scnn/scheduler.ts';
import { synthesizeLayer } from '../../sim/scnn/training-step.ts';
import { getNetwork } from '../../sim/workloads/networks/index.ts';
import { SMALL_UNITS } from '../../tb/scnn/array-cases.ts';
import { randomOperands } from '../../tb/scnn/array-check.ts';
import { TEST_ARRAY_TOP } from '../../tb/scnn/array-test-params.ts';

// Every unit the scheduler produces must fit the PE's coordinate fields, so the
// cycle model never reports a pass the array's image encoder would refuse.

describe('the scheduler keeps every coordinate within the PE fields', () => {
  it("schedules ResNet-18 CIFAR's layer4.0.downsample forward and fc gradients (npm run bench:pe defaults) so every run of the 8 x 8 array encodes", () => {
    const table = getNetwork('resnet18', 'cifar');
    const config = scheduleConfig(DEFAULT_ARRAY_TOP, DEFAULT_ARRAY_TOP, peCapacities(DEFAULT_ARRAY_TOP.pe));
    const cases: [string, TrainingPass][] = [['layer4.0.downsample', 'forward'], ['fc', 'inputGradient'], ['fc', 'weightGradient']];
    for (const [name, pass] of cases) {
      const index = table.layers.findIndex((l) => l.name === name);
      const { shape, operands } = synthesizeLayer(table.layers[index]!, index, { batch: 1, sparsity: 0.9, generator: 'topk', seed: 1 });
      const schedule = schedulePass(shape, pass, operands, config, name);
      expect(encodePassRuns(schedule, DEFAULT_ARRAY_TOP, DEFAULT_ARRAY_TOP, 'element').length).toBeGreaterThan(0);
      // The shapes that were refused: 512 output channels, 512 matrix columns; now cut at 256 channels and 255 columns.
      if (pass === 'forward') expect(schedule.channelGroup).toBe(256);
      else expect(schedule.units[0]!.unit.geometry.broadcastRows).toBeLessThanOrEqual(255);
    }
  });

  it('property: random conv and fully-connected layers (channels and widths past 2^coordBits) on small arrays encode every run of every pass', () => {
    const shapeArb: fc.Arbitrary<ConvShape> = fc.oneof(
      fc.record({
        batch: fc.constant(1),
        inChannels: fc.integer({ min: 1, max: 300 }),
        outChannels: fc.integer({ min: 1, max: 300 }),
        height: fc.integer({ min: 1, max: 4 }),
        width: fc.integer({ min: 1, max: 4 }),
        kernelHeight: fc.constant(1),
        kernelWidth: fc.constant(1),
        stride: fc.constantFrom(1, 2),
        padding: fc.constant(0),
      }),
      fc.record({
        batch: fc.integer({ min: 1, max: 2 }),
        inChannels: fc.integer({ min: 1, max: 300 }),
        outChannels: fc.integer({ min: 1, max: 300 }),
        height: fc.constant(1),
        width: fc.constant(1),
        kernelHeight: fc.constant(1),
        kernelWidth: fc.constant(1),
        stride: fc.constant(1),
        padding: fc.constant(0),
      }),
      fc.record({
        batch: fc.constant(1),
        inChannels: fc.integer({ min: 1, max: 40 }),
        outChannels: fc.integer({ min: 1, max: 40 }),
        height: fc.integer({ min: 3, max: 6 }),
        width: fc.integer({ min: 3, max: 6 }),
        kernelHeight: fc.constant(3),
        kernelWidth: fc.constant(3),
        stride: fc.constantFrom(1, 2),
        padding: fc.constantFrom(0, 1),
      }),
    );
    fc.assert(
      fc.property(
        shapeArb,
        fc.constantFrom<TrainingPass>('forward', 'inputGradient', 'weightGradient'),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom(4, 5, 6),
        fc.nat(),
        (shape, pass, px, py, coordBits, seed) => {
          const params: ArrayTopParams = { ...TEST_ARRAY_TOP, pe: { ...TEST_ARRAY_TOP.pe, coordBits } };
          const grid = { px, py };
          const schedule = schedulePass(shape, pass, randomOperands(shape, 0.05, seed), scheduleConfig(params, grid, SMALL_UNITS), 'layer');
          encodePassRuns(schedule, grid, params, 'element');
        },
      ),
      { numRuns: 40 },
    );
  });

  it('refuses a convolution plane larger than the coordinate fields, naming the field (the convolution passes address planes absolutely)', () => {
    const shape: ConvShape = { batch: 1, inChannels: 1, outChannels: 1, height: 20, width: 4, kernelHeight: 1, kernelWidth: 1, stride: 1, padding: 0 };
    const config = scheduleConfig({ ...TEST_ARRAY_TOP, pe: { ...TEST_ARRAY_TOP.pe, coordBits: 4 } }, { px: 1, py: 1 }, SMALL_UNITS);
    expect(() => scheduleConvPass(shape, 'forward', randomOperands(shape, 1, 3), config, 'tall')).toThrow(
      new RangeError('tall: forward work unit 0: geometry outRows 20 does not fit 4 coordinate bits (0..15)'),
    );
  });
});
