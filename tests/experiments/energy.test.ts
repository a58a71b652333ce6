import { describe, expect, it } from 'vitest';
import { arrayEnergyEvents, ENERGY_45NM, energyPj, energyRatio, sumEvents, type EnergyEvents } from '../../sim/experiments/energy.ts';
import { zeroCounters } from '../../sim/scnn/array-runs.ts';
import { stepFigures } from '../../sim/experiments/ant.ts';
import type { PassRecord } from '../../sim/experiments/array-experiments.ts';
import { modelEngine } from '../../sim/experiments/engine.ts';
import { EngineUnavailableError, requirePeArrayEngine } from '../../sim/experiments/pe-array-engines.ts';
import { rtlEngine } from '../../sim/experiments/rtl-engine.ts';

const NONE: EnergyEvents = {
  multiplies: 0, accumulates: 0, smallSramReadBits: 0, smallSramWriteBits: 0,
  largeSramReadBits: 0, largeSramWriteBits: 0, crossbarBits: 0, dramBits: 0,
};

describe('energy model', () => {
  it('gives every constant a provenance and a source', () => {
    for (const [name, c] of Object.entries(ENERGY_45NM)) {
      expect(['paper', 'derived', 'assumption'], name).toContain(c.provenance);
      expect(c.source.length, name).toBeGreaterThan(10);
      expect(c.pj, name).toBeGreaterThan(0);
    }
    // Horowitz's 45 nm table: 32-bit multiply 3.1 pJ, 8 KB SRAM 64-bit read 10 pJ, DRAM 1.3 nJ per 64 bits.
    expect(Math.abs(ENERGY_45NM.multiply16.pj - 3.1 / 4)).toBeLessThan(0.01);
    expect(ENERGY_45NM.sramReadBitSmall.pj * 64).toBeCloseTo(10, 9);
    expect(ENERGY_45NM.dramBit.pj * 64).toBeCloseTo(1300, 9);
  });

  it('sums events times their energies', () => {
    const e = energyPj({ ...NONE, multiplies: 1000, accumulates: 1000, smallSramReadBits: 64, dramBits: 64 });
    expect(e.multiplies).toBeCloseTo(780, 9);
    expect(e.accumulates).toBeCloseTo(75, 9);
    expect(e.total).toBeCloseTo(780 + 75 + 10 + 1300, 9);
  });

  it('forms ratios and refuses impossible counts', () => {
    expect(energyRatio({ ...NONE, multiplies: 400 }, { ...NONE, multiplies: 100 })).toBeCloseTo(4, 12);
    expect(() => energyPj({ ...NONE, multiplies: -1 })).toThrow('multiplies must be a non-negative number');
    expect(() => energyRatio({ ...NONE, multiplies: 1 }, NONE)).toThrow('spends no energy');
  });

  it('charges the fill and drain engines for their work, hidden or exposed, and a drain or merge row in every PE', () => {
    const widths = { F: 4, fillWidth: 4, elementBits: 40, accBits: 32, pes: 4, banks: 2 };
    const work = { ...zeroCounters(), fillBusyCycles: 10, drainBusyCycles: 3, mergeCycles: 2 };
    const e = arrayEnergyEvents(work, widths);
    const row = 4 * 2 * 32;
    expect(e.smallSramWriteBits).toBe(10 * 4 * 40);
    expect(e.smallSramReadBits).toBe(3 * row);
    expect(e.largeSramReadBits).toBe(10 * 4 * 40 + 3 * row + 2 * row);
    expect(e.largeSramWriteBits).toBe(5 * row);
    // The same work left exposed (nothing to hide behind) spends the same energy.
    const exposed = { ...work, fillCycles: 10, drainCycles: 5, cycles: 15 };
    expect(arrayEnergyEvents(exposed, widths)).toEqual(e);
    // Through the reduction network every PE still reads its accumulator row, but the summed row goes into one slice.
    const reduced = arrayEnergyEvents(work, widths, true);
    expect(reduced.smallSramReadBits).toBe(3 * row);
    expect(reduced.largeSramReadBits).toBe(10 * 4 * 40 + 3 * 2 * 32 + 2 * row);
    expect(reduced.largeSramWriteBits).toBe(3 * 2 * 32 + 2 * row);
    expect(sumEvents([e, reduced]).largeSramWriteBits).toBe(5 * row + 3 * 2 * 32 + 2 * row);
  });
});

describe('step figures', () => {
  it('charge a pass drained through the reduction network one slice row a drain cycle, and a pass drained PE by PE every PE\'s', () => {
    const widths = { F: 4, fillWidth: 4, elementBits: 40, accBits: 32, pes: 4, banks: 2 };
    const counters = { ...zeroCounters(), cycles: 10, busySlots: 5, validProducts: 5, drainBusyCycles: 3 };
    const whole = { start: 0, count: 1, of: 1 };
    const record = (reducedDrain: boolean): PassRecord => ({
      pass: 'weightGradient', dataflow: 'conv', units: 1, groups: 1, runs: 1, runCutDrainCycles: 0, reducedDrain,
      sample: { batch: whole, C: whole, K: whole, scale: 1 }, golden: { products: 5, valid: 5 }, byMode: { off: counters, vector: counters, element: counters },
    });
    const reduced = stepFigures([record(true)], 16, widths).energyPj.element;
    const perPe = stepFigures([record(false)], 16, widths).energyPj.element;
    // The three PEs' rows the reduction network saves, read from and written to the slices.
    expect(perPe - reduced).toBeCloseTo(3 * (4 - 1) * 2 * 32 * (ENERGY_45NM.sramReadBitLarge.pj + ENERGY_45NM.sramWriteBitLarge.pj), 9);
  });
});

describe('PE-array engine', () => {
  it('is the cycle model, or the RTL for ant, sparsert, spartan, dsg and lstm; the others are refused the RTL with one message', () => {
    expect(requirePeArrayEngine('model', 'ant')).toBe(modelEngine);
    for (const name of ['ant', 'sparsert', 'spartan', 'dsg', 'lstm']) expect(requirePeArrayEngine('rtl', name)).toBe(rtlEngine);
    expect(() => requirePeArrayEngine('rtl', 'rcp-breakdown')).toThrow(EngineUnavailableError);
    expect(() => requirePeArrayEngine('rtl', 'rcp-breakdown')).toThrow('experiment "rcp-breakdown": --engine rtl runs only ant, sparsert, spartan, dsg, lstm; use --engine model');
  });
});
