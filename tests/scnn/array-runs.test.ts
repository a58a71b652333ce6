import { describe, expect, test } from 'vitest';
import { elaborate } from '../../hw/index.ts';
import { ScnnArrayTop } from '../../hw/scnn/array-top.ts';
import type { ConvShape } from '../../sim/golden/conv-shape.ts';
import { deriveSeed } from '../../sim/golden/random.ts';
import { countRcpFast } from '../../sim/golden/rcp-count.ts';
import { passOutputSpan, planRuns, RunPlanError, runSchedule, spanLength } from '../../sim/scnn/array-runs.ts';
import { firstMismatch, goldenPassOutput, schedulePass } from '../../sim/scnn/layer-run.ts';
import { ANTICIPATION_MODES } from '../../sim/scnn/work-unit.ts';
import { buildModel } from '../../sim/verilator/build.ts';
import { SMALL_UNITS } from '../../tb/scnn/array-cases.ts';
import { randomOperands, scheduleConfig } from '../../tb/scnn/array-check.ts';
import { runPassOnArray } from '../../tb/scnn/array-pass-run.ts';
import { TEST_ARRAY_TOP } from '../../tb/scnn/array-test-params.ts';

// 16 output channels of a 17 x 19 map: 5,168 outputs, more than the test array's 4,096-entry output buffer.
const shape: ConvShape = { batch: 1, inChannels: 4, outChannels: 16, height: 17, width: 19, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1 };
const operands = randomOperands(shape, 0.3, deriveSeed(5, 'array runs'));
const grid = { px: 3, py: 3 };
const config = scheduleConfig(TEST_ARRAY_TOP, grid, SMALL_UNITS);

describe('planRuns', () => {
  test('cuts a pass into consecutive runs, each within every buffer of the array', () => {
    for (const pass of ['forward', 'inputGradient', 'weightGradient'] as const) {
      const schedule = schedulePass(shape, pass, operands, config, 'runs');
      const runs = planRuns(schedule, TEST_ARRAY_TOP);
      expect(runs[0]!.start).toBe(0);
      expect(runs.at(-1)!.end).toBe(schedule.units.length);
      runs.forEach((r, i) => {
        if (i > 0) expect(r.start).toBe(runs[i - 1]!.end);
        const sub = runSchedule(schedule, r);
        expect(sub.units.length).toBeLessThanOrEqual(TEST_ARRAY_TOP.unitDepth);
        expect(spanLength(passOutputSpan(sub))).toBeLessThanOrEqual(TEST_ARRAY_TOP.outputDepth);
        for (let k = 0; k < 9; k++) {
          expect(sub.units.reduce((s, { unit }) => s + unit.pes[k]!.stationary.values.length, 0)).toBeLessThanOrEqual(TEST_ARRAY_TOP.pe.stationaryDepth);
          expect(sub.units.reduce((s, { unit }) => s + unit.pes[k]!.segments.length, 0)).toBeLessThanOrEqual(TEST_ARRAY_TOP.pe.segmentDepth);
        }
      });
      if (pass === 'forward') expect(runs.length).toBeGreaterThan(1);
    }
  });

  test('runs end at window-group boundaries unless a group alone is too large for the buffers', () => {
    const schedule = schedulePass(shape, 'forward', operands, config, 'runs');
    const runs = planRuns(schedule, TEST_ARRAY_TOP);
    const groupOf = (u: number) => schedule.units[u]!.group;
    for (const r of runs.slice(1)) expect(groupOf(r.start)).not.toBe(groupOf(r.start - 1));
    // With a pointer memory too small for whole weight-gradient groups, groups are cut and every unit still runs once.
    const dw = schedulePass(shape, 'weightGradient', operands, config, 'runs');
    const cut = planRuns(dw, TEST_ARRAY_TOP);
    expect(cut.some((r) => r.start > 0 && dw.units[r.start]!.group === dw.units[r.start - 1]!.group)).toBe(true);
  });

  test('a work unit larger than a buffer is refused, naming the buffer', () => {
    const schedule = schedulePass(shape, 'forward', operands, config, 'runs');
    expect(() => planRuns(schedule, { ...TEST_ARRAY_TOP, outputDepth: 64 })).toThrow(RunPlanError);
    expect(() => planRuns(schedule, { ...TEST_ARRAY_TOP, outputDepth: 64 })).toThrow(/forward pass: work unit 0 alone needs outputs spanning \d+ elements, the output buffer holds 64/);
  });
});

test('a pass larger than the output buffer runs in several runs on the 3 x 3 RTL and equals the golden layer bit for bit, counters equal the model', async () => {
  const model = await buildModel(elaborate(ScnnArrayTop, TEST_ARRAY_TOP));
  const counts = countRcpFast(shape, operands);
  for (const pass of ['forward', 'inputGradient', 'weightGradient'] as const) {
    const schedule = schedulePass(shape, pass, operands, config, 'runs');
    const golden = goldenPassOutput(shape, pass, operands);
    for (const mode of ANTICIPATION_MODES) {
      const r = await runPassOnArray(model, TEST_ARRAY_TOP, schedule, grid, mode, { seed: 5 });
      expect(r.timedOut).toBe(false);
      expect(firstMismatch(r.output, golden), `${pass} ${mode}`).toBeUndefined();
      expect(r.counters, `${pass} ${mode}`).toEqual(r.predicted);
      expect(r.counters.validProducts).toBe(counts[pass].valid);
      expect(r.counters.goldenProducts).toBe(counts[pass].products);
      if (pass === 'forward') expect(r.runs.length).toBeGreaterThan(1);
    }
  }
});
