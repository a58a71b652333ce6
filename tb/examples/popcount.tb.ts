import { PipelinedPopcount, popcountLatency, type PopcountParams } from '../../hw/examples/popcount.ts';
import { Rng } from '../../sim/golden/random.ts';
import { Simulation } from '../../sim/verilator/session.ts';
import { check, defineTestbench } from '../testbench.ts';

const PARAMS: PopcountParams = { width: 64, levelsPerStage: 2 };
const CYCLES = 400;

function randomBits(rng: Rng, width: number): bigint {
  let v = 0n;
  for (let i = 0; i < width; i += 32) v = (v << 32n) | BigInt(rng.nextUint32());
  // Mix sparse and dense words: popcounts near 0 and near width matter most.
  const density = rng.nextInt(4);
  if (density === 0) v &= BigInt(rng.nextUint32()) << BigInt(rng.nextInt(32));
  if (density === 1) v |= ~(BigInt(rng.nextUint32()) << 16n);
  return BigInt.asUintN(width, v);
}

function popcount(v: bigint): number {
  let n = 0;
  for (; v; v &= v - 1n) n++;
  return n;
}

/** A new random word every cycle; each count must appear exactly `latency` cycles later. */
export const popcountTestbench = defineTestbench({
  name: 'popcount',
  description: 'pipelined popcount (64 bits): one result per cycle at the designed latency',
  run: async ({ seed }) => {
    const sim = await Simulation.start(PipelinedPopcount, PARAMS);
    const latency = popcountLatency(PARAMS);
    const rng = new Rng(seed);
    const sent: { valid: boolean; count: number }[] = [];
    try {
      for (let i = 0; i < CYCLES + latency; i++) {
        const valid = i < CYCLES && rng.bernoulli(0.9);
        const bits = randomBits(rng, PARAMS.width);
        sim.io.inValid.poke(valid);
        sim.io.inBits.poke(bits);
        sent.push({ valid, count: popcount(bits) });
        if (i >= latency) {
          const want = sent[i - latency]!;
          await sim.io.outValid.expect(want.valid, `cycle ${i}`);
          if (want.valid) await sim.io.outCount.expect(want.count, `cycle ${i}`);
        }
        sim.step();
      }
    } finally {
      await sim.close();
    }
    check(sent.some((s) => s.valid), () => 'no valid input was sent');
    return { cycles: CYCLES + latency, details: `latency ${latency} cycles, ${CYCLES} words`, metrics: { latency } };
  },
});
