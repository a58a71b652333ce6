import { describe, expect, it } from 'vitest';
import type { ArrayCounters } from '../../sim/scnn/array-cycle-model.ts';
import { zeroCounters } from '../../sim/scnn/array-runs.ts';
import { derive, figuresTable, total, type PassFigures } from '../../sim/scnn/step-figures.ts';
import { ANTICIPATION_MODES, type Anticipation } from '../../sim/scnn/work-unit.ts';

const MULTIPLIERS = 1024;

/** A pass whose counters are the same in every mode apart from the cycles given. */
function pass(layer: string, valid: number, drainBusyCycles: number, cycles: Record<Anticipation, number>, fillBusyCycles = 0): PassFigures {
  const counters = Object.fromEntries(
    ANTICIPATION_MODES.map((m) => [m, { ...zeroCounters(), cycles: cycles[m], drainBusyCycles, fillBusyCycles, validProducts: valid } satisfies ArrayCounters]),
  ) as Record<Anticipation, ArrayCounters>;
  return { layer, pass: 'weightGradient', kind: 'conv', units: 1, runs: 1, golden: { products: 4 * valid, valid }, counters };
}

// Compute-bound: 10,240 valid products are 10 cycles of 1,024 multipliers; the drain works 4.
const computeBound = pass('a', 10_240, 4, { off: 40, vector: 20, element: 15 });
// Output-bound: 1 ideal cycle, but the drain engine writes the gradients out for 50.
const outputBound = pass('b', 1_024, 50, { off: 90, vector: 70, element: 60 });
// Input-bound: 2 ideal cycles and 3 of drain, but the fill engine copies the broadcast operand in for 30.
const inputBound = pass('c', 2_048, 3, { off: 40, vector: 35, element: 35 }, 30);

describe('the bound of a pass: the largest of the ideal, the fill engine and the drain engine', () => {
  it('takes the ideal when the products dominate, the drain when the outputs do and the fill when the broadcast operand does', () => {
    expect(derive(computeBound.counters, computeBound.golden, MULTIPLIERS).boundCycles.element).toBe(10);
    expect(derive(outputBound.counters, outputBound.golden, MULTIPLIERS).boundCycles.element).toBe(50);
    expect(derive(inputBound.counters, inputBound.golden, MULTIPLIERS).boundCycles.element).toBe(30);
  });

  it('adds the bounds pass by pass, not the maximum of the summed counters', () => {
    const t = total([computeBound, outputBound], MULTIPLIERS);
    // max(11 ideal, 54 drain) of the sums would be 54; each pass's own bound gives 10 + 50.
    expect(t.bound.element).toBe(60);
    const d = derive(t.counters, t.golden, MULTIPLIERS, t.bound);
    expect(d.idealCycles).toBe(11);
    expect(d.cycles.element / d.boundCycles.element).toBeCloseTo(75 / 60, 10);
  });

  it('prints the bound and the ratio to it in the table', () => {
    const lines = figuresTable([computeBound, outputBound], MULTIPLIERS).split('\n');
    expect(lines[0]).toMatch(/bound elt\s+elt\/bound$/);
    const whole = lines.find((l) => l.startsWith('whole step'))!;
    expect(whole).toMatch(/\s11\s+6\.82x\s+60\s+1\.25x$/);
  });
});
