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
    const channels = (max: number) => fc.integer({ min: 1, max });
    const shape = (o: { batch: number; channels: number; plane: [number, number]; kernel: number; strides: number[]; paddings: number[] }): fc.Arbitrary<ConvShape> => {
      const [lo, hi] = o.plane;
      return fc.record({
        batch: fc.integer({ min: 1, max: o.batch }),
        inChannels: channels(o.channels),
        outChannels: channels(o.channels),
        height: fc.integer({ min: lo, max: hi }),
        width: fc.integer({ min: lo, max: hi }),
        kernelHeight: fc.constant(o.kernel),
        kernelWidth: fc.constant(o.kernel),
        stride: fc.constantFrom(...o.strides),
        padding: fc.constantFrom(...o.paddings),
      });
    };
    // 1 x 1 convolutions and fully-connected layers (matrix mode) past 2^coordBits channels, and 3 x 3 convolutions.
    const shapeArb = fc.oneof(
      shape({ batch: 1, channels: 300, plane: [2, 4], kernel: 1, strides: [1, 2], paddings: [0] }),
      shape({ batch: 2, channels: 300, plane: [1, 1], kernel: 1, strides: [1], paddings: [0] }),
      shape({ batch: 1, channels: 40, plane: [3, 6], kernel: 3, strides: [1, 2], paddings: [0, 1] }),
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
