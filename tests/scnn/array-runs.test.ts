import { describe, expect, test } from 'vitest';
import { elaborate } from '../../hw/index.ts';
import { ScnnArrayTop } from '../../hw/scnn/array-top.ts';
import type { ConvShape } from '../../sim/golden/conv-shape.ts';
import { deriveSeed } from '../../sim/golden/random.ts';
import { countRcpFast } from '../../sim/golden/rcp-count.ts';
import { planRuns, RunPlanError, runProblem } from '../../sim/scnn/array-runs.ts';
import { firstMismatch, goldenPassOutput, schedulePass } from '../../sim/scnn/layer-run.ts';
import { ANTICIPATION_MODES } from '../../sim/scnn/work-unit.ts';
import { buildModel } from '../../sim/verilator/build.ts';
import { SMALL_UNITS } from '../../tb/scnn/array-cases.ts';
import { randomOperands, scheduleConfig } from '../../tb/scnn/array-check.ts';
import { runPassOnArray } from '../../tb/scnn/array-pass-run.ts';
import { TEST_ARRAY_TOP } from '../../tb/scnn/array-test-params.ts';

// 32 output channels of a 15 x 17 map, in small units: every pass needs more than one run of the 3 x 3 test array.
const shape: ConvShape = { batch: 1, inChannels: 3, outChannels: 32, height: 15, width: 17, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1 };
const operands = randomOperands(shape, 0.3, deriveSeed(5, 'array runs'));
const grid = { px: 3, py: 3 };
const config = scheduleConfig(TEST_ARRAY_TOP, grid, SMALL_UNITS);

describe('planRuns', () => {
  test('cuts a pass into consecutive runs, each within every buffer of the array', () => {
    for (const pass of ['forward', 'inputGradient', 'weightGradient'] as const) {
      const schedule = schedulePass(shape, pass, operands, config, 'runs');
      const runs = planRuns(schedule, grid, TEST_ARRAY_TOP);
      const problem = runProblem(schedule, grid, TEST_ARRAY_TOP);
      expect(runs[0]!.start).toBe(0);
      expect(runs.at(-1)!.end).toBe(schedule.units.length);
      runs.forEach((r, i) => {
        if (i > 0) expect(r.start).toBe(runs[i - 1]!.end);
        expect(problem(r.start, r.end), `${pass} run ${i}`).toBeUndefined();
        // Greedy: the next unit would not have fitted (or the run ends a group and the next group does not fit).
        if (r.end < schedule.units.length) expect(problem(r.start, runs[i + 1]!.end)).toBeDefined();
      });
      expect(runs.length, pass).toBeGreaterThan(1);
    }
  });

  test('runs end at window-group boundaries unless a group alone is too large for the buffers', () => {
    const schedule = schedulePass(shape, 'forward', operands, config, 'runs');
    const runs = planRuns(schedule, grid, TEST_ARRAY_TOP);
    for (const r of runs.slice(1)) expect(schedule.units[r.start]!.group).not.toBe(schedule.units[r.start - 1]!.group);
    // With a pointer memory too small for whole weight-gradient groups, groups are cut and every unit still runs once.
    const dw = schedulePass(shape, 'weightGradient', operands, config, 'runs');
    const small = { ...TEST_ARRAY_TOP, globalPointerDepth: 1024 };
    const cut = planRuns(dw, grid, small);
    expect(cut.some((r) => r.start > 0 && dw.units[r.start]!.group === dw.units[r.start - 1]!.group)).toBe(true);
    expect(cut.at(-1)!.end).toBe(dw.units.length);
  });

  test('a work unit larger than a buffer is refused, naming the buffer', () => {
    const schedule = schedulePass(shape, 'forward', operands, config, 'runs');
    const tiny = { ...TEST_ARRAY_TOP, globalBroadcastDepth: 16 };
    expect(() => planRuns(schedule, grid, tiny)).toThrow(RunPlanError);
    expect(() => planRuns(schedule, grid, tiny)).toThrow(/forward pass: work unit 0 alone needs \d+ broadcast elements, the global broadcast buffer holds 16/);
  });
});

test('a pass larger than the array\'s buffers runs in several runs on the 3 x 3 RTL and equals the golden layer bit for bit, counters equal the model', async () => {
  const model = await buildModel(elaborate(ScnnArrayTop, TEST_ARRAY_TOP));
  const counts = countRcpFast(shape, operands);
  for (const pass of ['forward', 'inputGradient', 'weightGradient'] as const) {
    const schedule = schedulePass(shape, pass, operands, config, 'runs');
    const golden = goldenPassOutput(shape, pass, operands);
    // Runs are the same in every mode; one pass in all three, the others in element mode, keep the test short.
    for (const mode of pass === 'forward' ? ANTICIPATION_MODES : (['element'] as const)) {
      const r = await runPassOnArray(model, TEST_ARRAY_TOP, schedule, grid, mode, { seed: 5 });
      expect(r.timedOut).toBe(false);
      expect(firstMismatch(r.output, golden), `${pass} ${mode}`).toBeUndefined();
      expect(r.counters, `${pass} ${mode}`).toEqual(r.predicted);
      expect(r.counters.validProducts).toBe(counts[pass].valid);
      expect(r.counters.goldenProducts).toBe(counts[pass].products);
      expect(r.runs.length).toBeGreaterThan(1);
    }
  }
});
