/**
 * Per-event energy model for the PE-array experiments, at 45 nm / 0.9 V, from
 * M. Horowitz, "Computing's energy problem (and what we can do about it)",
 * ISSCC 2014, pp. 10-14 (the table of operation energies). Each constant says
 * whether it is the paper's figure, derived from it, or an assumption.
 *
 * Energies are applied to event counts (products, accumulations, bits moved);
 * experiments report ratios between designs, never absolute joules without
 * this model beside them.
 */

export type Provenance = 'paper' | 'derived' | 'assumption';

export interface EnergyConstant {
  /** Picojoules per event. */
  readonly pj: number;
  readonly per: string;
  readonly provenance: Provenance;
  readonly source: string;
}

const HOROWITZ = 'Horowitz, ISSCC 2014, 45 nm 0.9 V operation-energy table';

export const ENERGY_NODE = '45 nm, 0.9 V (Horowitz, ISSCC 2014)';

export const ENERGY_45NM = {
  /** 16-bit integer multiply. The table gives 8-bit 0.2 pJ and 32-bit 3.1 pJ; an array multiplier's energy grows with the square of the width: 3.1 · (16/32)² = 0.78 pJ (0.2 · 4 = 0.8 pJ from the other end). */
  multiply16: { pj: 0.78, per: '16-bit integer multiply', provenance: 'derived', source: `${HOROWITZ}: 32-bit multiply 3.1 pJ scaled by (16/32)²` },
  /** 24-bit accumulate (SCNN's accumulator width). The table gives 8-bit add 0.03 pJ and 32-bit add 0.1 pJ; a ripple adder's energy is linear in width: 0.1 · 24/32. */
  accumulate24: { pj: 0.075, per: '24-bit integer add', provenance: 'derived', source: `${HOROWITZ}: 32-bit add 0.1 pJ scaled by 24/32` },
  /** 32-bit integer add, for wider accumulators. */
  add32: { pj: 0.1, per: '32-bit integer add', provenance: 'paper', source: HOROWITZ },
  /** Small SRAM (PE buffers, accumulator banks): 8 KB array, 64-bit read 10 pJ. */
  sramReadBitSmall: { pj: 10 / 64, per: 'bit read from an 8 KB SRAM', provenance: 'derived', source: `${HOROWITZ}: 8 KB SRAM 64-bit read 10 pJ, divided by 64` },
  /** Large SRAM (global buffer): 1 MB array, 64-bit read 100 pJ. */
  sramReadBitLarge: { pj: 100 / 64, per: 'bit read from a 1 MB SRAM', provenance: 'derived', source: `${HOROWITZ}: 1 MB SRAM 64-bit read 100 pJ, divided by 64` },
  /** The table gives reads only; a write is taken to cost what a read of the same array costs. */
  sramWriteBitSmall: { pj: 10 / 64, per: 'bit written to an 8 KB SRAM', provenance: 'assumption', source: 'write energy = read energy of the same array (Horowitz gives reads only)' },
  sramWriteBitLarge: { pj: 100 / 64, per: 'bit written to a 1 MB SRAM', provenance: 'assumption', source: 'write energy = read energy of the same array (Horowitz gives reads only)' },
  /** DRAM: 1.3-2.6 nJ per 64-bit access; the low end, so DRAM-heavy designs are not flattered. */
  dramBit: { pj: 1300 / 64, per: 'bit moved to or from DRAM', provenance: 'derived', source: `${HOROWITZ}: DRAM 1.3-2.6 nJ per 64-bit access; low end, divided by 64` },
  /**
   * Scatter crossbar (F·I products to 2·F·I accumulator banks). No published per-bit crossbar
   * figure at 45 nm is used: it is taken equal to a small-SRAM bit read, an assumption to be
   * replaced by a figure from our own RTL's switching activity when the PE array exists.
   */
  crossbarBit: { pj: 10 / 64, per: 'bit through the scatter crossbar', provenance: 'assumption', source: 'taken equal to an 8 KB SRAM bit read (no published per-bit crossbar figure used)' },
} as const satisfies Record<string, EnergyConstant>;

/** Events of one run, from an engine's counters and the dataflow's traffic. */
export interface EnergyEvents {
  readonly multiplies: number;
  readonly accumulates: number;
  readonly smallSramReadBits: number;
  readonly smallSramWriteBits: number;
  readonly largeSramReadBits: number;
  readonly largeSramWriteBits: number;
  readonly crossbarBits: number;
  readonly dramBits: number;
}

/** Events of several runs together. */
export function sumEvents(list: readonly EnergyEvents[]): EnergyEvents {
  const sum = { multiplies: 0, accumulates: 0, smallSramReadBits: 0, smallSramWriteBits: 0, largeSramReadBits: 0, largeSramWriteBits: 0, crossbarBits: 0, dramBits: 0 };
  for (const e of list) for (const k of Object.keys(sum) as (keyof EnergyEvents)[]) sum[k] += e[k];
  return sum;
}

export type EnergyBreakdown = { readonly [K in keyof EnergyEvents]: number } & { readonly total: number };

/** Picojoules per kind of event and in total. */
export function energyPj(events: EnergyEvents, model = ENERGY_45NM): EnergyBreakdown {
  for (const [k, v] of Object.entries(events)) {
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`energy event count ${k} must be a non-negative number, got ${v}`);
  }
  const parts = {
    multiplies: events.multiplies * model.multiply16.pj,
    accumulates: events.accumulates * model.accumulate24.pj,
    smallSramReadBits: events.smallSramReadBits * model.sramReadBitSmall.pj,
    smallSramWriteBits: events.smallSramWriteBits * model.sramWriteBitSmall.pj,
    largeSramReadBits: events.largeSramReadBits * model.sramReadBitLarge.pj,
    largeSramWriteBits: events.largeSramWriteBits * model.sramWriteBitLarge.pj,
    crossbarBits: events.crossbarBits * model.crossbarBit.pj,
    dramBits: events.dramBits * model.dramBit.pj,
  };
  return { ...parts, total: Object.values(parts).reduce((a, b) => a + b, 0) };
}

/** Energy of a design relative to a baseline under the same model: what experiments report. */
export function energyRatio(baseline: EnergyEvents, design: EnergyEvents, model = ENERGY_45NM): number {
  const d = energyPj(design, model).total;
  if (d === 0) throw new RangeError('the design spends no energy; cannot form a ratio');
  return energyPj(baseline, model).total / d;
}

/** What the events of an array run need to know about the array. */
export interface ArrayWidths {
  /** Multipliers' broadcast vector width (F), elements the fill bus carries per cycle, bits of an operand element with its coordinates, accumulator bits. */
  readonly F: number;
  readonly fillWidth: number;
  readonly elementBits: number;
  readonly accBits: number;
  /** PEs of the array (Px·Py) and accumulator banks per PE (A): a drain or merge cycle moves one row of A accumulators in every PE. */
  readonly pes: number;
  readonly banks: number;
}

/** The array counters an energy estimate reads (sim/scnn/array-cycle-model.ts ArrayCounters has them all). */
export interface ArrayEventCounters {
  /** Cycles the fill engine copies and the drain engine drains, hidden or not: the work, not the exposed time. */
  readonly fillBusyCycles: number;
  readonly drainBusyCycles: number;
  readonly mergeCycles: number;
  readonly candidatePairs: number;
  readonly busySlots: number;
  readonly validProducts: number;
}

/**
 * Events of one array run, by stated rules (docs/experiments.md): every busy
 * multiplier slot multiplies and sends its product through the scatter
 * crossbar; each valid product is accumulated (bank read, add, write); each
 * broadcast vector fetched against a stationary vector reads F elements of
 * the PE's broadcast buffer; each cycle the fill engine copies reads fillWidth
 * elements of the global buffer and writes them into a PE's buffer; each cycle
 * the drain engine drains reads one row of A accumulators in every PE and adds
 * it into the PE's output slice (read and write), or, through the reduction
 * network (`reducedDrain`: a planar weight gradient), adds their sum into one
 * slice row (one read and one write); each halo-merge cycle reads
 * and writes one slice row in every PE (an upper bound: not every PE sends in
 * every phase). The fill and drain count their engines' work, not the cycles
 * left exposed: a hidden copy spends the same energy. Operands move from DRAM
 * alike in every mode and are left out.
 */
export function arrayEnergyEvents(c: ArrayEventCounters, w: ArrayWidths, reducedDrain = false): EnergyEvents {
  const fillBits = c.fillBusyCycles * w.fillWidth * w.elementBits;
  const rowBits = w.pes * w.banks * w.accBits;
  const drainBits = c.drainBusyCycles * rowBits;
  const sliceBits = reducedDrain ? c.drainBusyCycles * w.banks * w.accBits : drainBits;
  const mergeBits = c.mergeCycles * rowBits;
  return {
    multiplies: c.busySlots,
    accumulates: c.validProducts,
    smallSramReadBits: c.candidatePairs * w.F * w.elementBits + c.validProducts * w.accBits + drainBits,
    smallSramWriteBits: c.validProducts * w.accBits + fillBits,
    largeSramReadBits: fillBits + sliceBits + mergeBits,
    largeSramWriteBits: sliceBits + mergeBits,
    crossbarBits: c.busySlots * w.accBits,
    dramBits: 0,
  };
}
