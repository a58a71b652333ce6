import { DERIVED_COUNTERS, type PeTopParams } from '../../hw/scnn/pe-top.ts';
import { COUNTER_NAMES, type DerivedCounters, type PeCounters } from '../../sim/scnn/cycle-model.ts';
import { decodeWindow, encodePeTop } from '../../sim/scnn/images.ts';
import type { Anticipation, WorkUnit } from '../../sim/scnn/work-unit.ts';
import type { VerilatedModel } from '../../sim/verilator/build.ts';
import { runBulk } from '../../sim/verilator/bulk.ts';

export interface PeRun {
  readonly accumulators: Int32Array;
  readonly counters: PeCounters;
  /** The top's difference counters, read as signed 32-bit values. */
  readonly derived: DerivedCounters;
  readonly timedOut: boolean;
  readonly wallMs: number;
}

/** Runs one work unit on a built 1 x 1 PE top in bulk mode and decodes what it left. */
export async function runPeTop(model: VerilatedModel, params: PeTopParams, unit: WorkUnit, mode: Anticipation, opts: { seed: number; cycleLimit?: number }): Promise<PeRun> {
  const limit = opts.cycleLimit ?? 2 ** 32 - 1;
  const images = encodePeTop(unit, params, mode, limit);
  const r = await runBulk(model, {
    seed: opts.seed,
    config: images.config,
    loadMemories: images.memories,
    dumpMemories: images.outputMemories,
    donePort: 'done',
    peek: [...[...COUNTER_NAMES, ...DERIVED_COUNTERS].map((k) => `counters_${k}`), 'timedOut'],
    // The watchdog ends every run; this only catches a broken watchdog.
    maxCycles: Math.min(limit + 16, 2 ** 31),
  });
  const counters = Object.fromEntries(COUNTER_NAMES.map((k) => [k, Number(r.peeks[`counters_${k}`])])) as unknown as PeCounters;
  const derived = Object.fromEntries(DERIVED_COUNTERS.map((k) => [k, Number(BigInt.asIntN(32, r.peeks[`counters_${k}`]!))])) as unknown as DerivedCounters;
  const dumps = images.outputMemories.map((m) => r.memories[m] as Int32Array);
  return { accumulators: decodeWindow(unit, params, dumps), counters, derived, timedOut: r.peeks.timedOut === 1n, wallMs: r.wallMs };
}
