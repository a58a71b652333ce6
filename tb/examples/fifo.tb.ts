import { Fifo } from '../../hw/examples/fifo.ts';
import { Rng } from '../../sim/golden/random.ts';
import { runBulk } from '../../sim/verilator/bulk.ts';
import { check, defineTestbench } from '../testbench.ts';

const BEATS = 20_000;

/**
 * Bulk mode: a long random stream through the FIFO with random bubbles and
 * back-pressure must come out complete and in order; with neither, the FIFO
 * must move one beat per cycle.
 */
export const fifoTestbench = defineTestbench({
  name: 'fifo',
  description: 'FIFO: 20k beats under random back-pressure (bulk), then full-rate throughput',
  run: async ({ seed, build }) => {
    const { model } = await build(Fifo, { width: 16, depth: 8 });
    const rng = new Rng(seed);
    const beats = Array.from({ length: BEATS }, () => [BigInt(rng.nextInt(1 << 16))]);
    const stressed = await runBulk(model, {
      seed,
      inputs: [{ prefix: 'enq', beats, stall: 0.3 }],
      outputs: [{ prefix: 'deq', stall: 0.4 }],
      peek: ['count'],
    });
    const out = stressed.outputs.deq!;
    check(out.length === BEATS, () => `${out.length} beats came out of ${BEATS}`);
    const bad = out.findIndex((b, i) => b[0] !== beats[i]![0]);
    check(bad < 0, () => `beat ${bad} came out as ${out[bad]![0]}, expected ${beats[bad]![0]}`);
    check(stressed.peeks.count === 0n, () => `the FIFO holds ${stressed.peeks.count} entries after draining`);

    const free = await runBulk(model, { seed, inputs: [{ prefix: 'enq', beats }], outputs: [{ prefix: 'deq' }] });
    const lastBeat = free.lastBeatCycle.deq!;
    check(lastBeat === BEATS, () => `without stalls the last beat left at cycle ${lastBeat}, expected ${BEATS} (one per cycle after one cycle of latency)`);
    const mcps = stressed.cycles / (stressed.wallMs / 1000) / 1e6;
    return {
      cycles: stressed.cycles + free.cycles,
      details: `${BEATS} beats in order under stalls (${stressed.cycles} cycles); full rate: ${BEATS} beats by cycle ${lastBeat}; ${mcps.toFixed(2)} M cycles/s incl. process start`,
      metrics: { stressedCycles: stressed.cycles, fullRateLastBeat: lastBeat, stressedWallMs: stressed.wallMs },
    };
  },
});
