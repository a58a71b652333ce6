import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arrayTimeline } from '../../sim/scnn/array-timing.ts';

describe('arrayTimeline', () => {
  it('overlaps the next fill with the current compute and a drain with the next group', () => {
    const t = arrayTimeline([
      { fill: 10, compute: 50, group: 0, drain: 20 },
      { fill: 10, compute: 50, group: 1, drain: 20 },
      { fill: 10, compute: 5, group: 2, drain: 20 },
    ]);
    expect(t.units.map((u) => [u.fillStart, u.computeStart, u.computeEnd])).toEqual([
      [0, 10, 60],
      [10, 60, 110],
      [60, 110, 115], // unit 2 fills the buffer unit 0 freed at 60; group 2 reuses group 0's set, drained [60, 80)
    ]);
    expect(t.drains).toEqual([
      { group: 0, start: 60, end: 80 },
      { group: 1, start: 110, end: 130 },
      { group: 2, start: 130, end: 150 },
    ]);
    expect(t.totalCycles).toBe(150);
    expect(t.stallCycles).toBe(150 - 105);
  });

  it('waits for a free accumulator set when drains are slower than compute', () => {
    const t = arrayTimeline([
      { fill: 1, compute: 2, group: 0, drain: 100 },
      { fill: 1, compute: 2, group: 1, drain: 100 },
      { fill: 1, compute: 2, group: 2, drain: 100 },
    ]);
    expect(t.units[2]!.computeStart).toBe(103); // group 0 drains [3, 103)
    expect(t.drains.map((d) => d.end)).toEqual([103, 203, 303]);
    expect(t.totalCycles).toBe(303);
  });

  it('keeps accumulating across the units of one group and drains once', () => {
    const t = arrayTimeline([
      { fill: 4, compute: 10, group: 7, drain: 999 },
      { fill: 4, compute: 10, group: 7, drain: 30 },
    ]);
    expect(t.drains).toEqual([{ group: 7, start: 24, end: 54 }]);
  });

  it('never beats the busiest resource and never exceeds the fully serial schedule', () => {
    const unit = fc.record({ fill: fc.nat(50), compute: fc.nat(50), drain: fc.nat(50), newGroup: fc.boolean() });
    fc.assert(
      fc.property(fc.array(unit, { minLength: 1, maxLength: 30 }), (raw) => {
        let group = 0;
        const costs = raw.map((r, i) => ({ fill: r.fill, compute: r.compute, drain: r.drain, group: i > 0 && r.newGroup ? ++group : group }));
        const t = arrayTimeline(costs);
        const sum = (f: (c: (typeof costs)[number]) => number) => costs.reduce((s, c) => s + f(c), 0);
        const lastOfGroup = costs.filter((c, i) => i === costs.length - 1 || costs[i + 1]!.group !== c.group);
        const drains = lastOfGroup.reduce((s, c) => s + c.drain, 0);
        expect(t.totalCycles).toBeGreaterThanOrEqual(Math.max(sum((c) => c.compute), drains, sum((c) => c.fill)));
        expect(t.totalCycles).toBeLessThanOrEqual(sum((c) => c.fill + c.compute) + drains);
      }),
    );
  });

  it('refuses negative costs and decreasing groups', () => {
    expect(() => arrayTimeline([{ fill: -1, compute: 0, group: 0, drain: 0 }])).toThrow('unit 0: fill cycles must be a non-negative integer, got -1');
    expect(() => arrayTimeline([{ fill: 0, compute: 0, group: 1, drain: 0 }, { fill: 0, compute: 0, group: 0, drain: 0 }])).toThrow(
      'unit 1: groups must not decrease (1 then 0)',
    );
  });
});

describe('composePass', () => {
  it('sums PE counters, counts barrier idling and lays fills and drains on the timeline', async () => {
    const { composePass, ZERO_PE_COUNTERS } = await import('../../sim/scnn/counters.ts');
    const { scheduleConvPass } = await import('../../sim/scnn/scheduler.ts');
    const { DEFAULT_ARRAY_CONFIG } = await import('../../sim/scnn/array-config.ts');
    const shape = { batch: 1, inChannels: 2, outChannels: 2, height: 4, width: 4, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1 };
    const ones = (n: number) => new Int32Array(n).fill(1);
    const schedule = scheduleConvPass(shape, 'weightGradient', { activations: ones(32), weights: ones(36), outputGradients: ones(32) }, { ...DEFAULT_ARRAY_CONFIG, px: 2, py: 1 });
    expect(schedule.units.length).toBe(1);
    const pes = [
      { ...ZERO_PE_COUNTERS, cycles: 40, busySlots: 100, validProducts: 60, rcpsComputed: 40 },
      { ...ZERO_PE_COUNTERS, cycles: 25, busySlots: 50, validProducts: 30, rcpsComputed: 20 },
    ];
    const pass = composePass(schedule, [pes], { fillWidth: 16, banks: 32, px: 2, py: 1 });
    // 32 output gradients over a 16-wide fill bus; a 2x2x3x3 window (36 entries) drains in 2 rows of 32, plus the chain over px + py = 3.
    expect(pass.fillCycles).toBe(2);
    expect(pass.haloReductionCycles).toBe(2 + 3);
    expect(pass.cycles).toBe(2 + 40 + 5);
    expect(pass.barrierIdleCycles).toBe(15);
    expect(pass.pe.busySlots).toBe(150);
    expect(pass.pe.validProducts).toBe(90);
  });
});
