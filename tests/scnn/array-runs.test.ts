import { describe, expect, test } from 'vitest';
import { passCounters, planRuns, RunPlanError, runProblem } from '../../sim/scnn/array-runs.ts';
import { schedulePass } from '../../sim/scnn/layer-run.ts';
import { RUNS_CASE, SMALL_UNITS } from '../../tb/scnn/array-cases.ts';
import { scheduleConfig } from '../../tb/scnn/array-check.ts';
import { TEST_ARRAY_TOP } from '../../tb/scnn/array-test-params.ts';

const { shape, operands, grid } = RUNS_CASE;
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

describe('double-buffered accumulators in the array cycle model', () => {
  test('hide part of every pass\'s drains behind compute; one set exposes them all; the work is the same', () => {
    const single = { ...TEST_ARRAY_TOP, pe: { ...TEST_ARRAY_TOP.pe, accumulatorSets: 1 as const } };
    let hidden = 0;
    let saved = 0;
    for (const pass of ['forward', 'inputGradient', 'weightGradient'] as const) {
      const schedule = schedulePass(shape, pass, operands, config, 'runs');
      const two = passCounters(schedule, grid, TEST_ARRAY_TOP, 'element');
      const one = passCounters(schedule, grid, single, 'element');
      expect(one.drainCycles - one.mergeCycles, pass).toBe(one.drainBusyCycles);
      expect(two.drainCycles - two.mergeCycles, pass).toBeLessThanOrEqual(two.drainBusyCycles);
      hidden += two.drainBusyCycles - (two.drainCycles - two.mergeCycles);
      saved += one.cycles - two.cycles;
      // The sets change only the fill's and the drains' clears (the next group of a set is another) and what they expose.
      const work = (c: typeof two) => ({ ...c, cycles: 0, fillCycles: 0, fillBusyCycles: 0, drainCycles: 0, drainBusyCycles: 0 });
      expect(work(two), pass).toEqual(work(one));
    }
    // Passes whose runs hold several window groups hide drains (a run of one group has nothing to overlap).
    expect(hidden).toBeGreaterThan(0);
    expect(saved).toBeGreaterThan(0);
  });
});
