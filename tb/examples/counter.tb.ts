import path from 'node:path';
import { Counter } from '../../hw/examples/counter.ts';
import { Rng } from '../../sim/golden/random.ts';
import { replayOnIcarus } from '../../sim/icarus.ts';
import { Simulation } from '../../sim/verilator/session.ts';
import { check, defineTestbench } from '../testbench.ts';

const WIDTH = 8;
const CYCLES = 600;

/**
 * Random enable/clear against a model of the counter, every cycle; then the
 * same stimulus replayed on Icarus must give the same values at every peek.
 */
export const counterTestbench = defineTestbench({
  name: 'counter',
  description: 'counter: random enable/clear vs a model, Verilator and Icarus agree',
  run: async ({ seed, build }) => {
    const { design, model } = await build(Counter, { width: WIDTH });
    const sim = Simulation.open<ReturnType<typeof Counter.io>>(model, design.top.spec, { record: true });
    const rng = new Rng(seed);
    let expected = 0;
    try {
      for (let i = 0; i < CYCLES; i++) {
        const enable = rng.bernoulli(0.7);
        const clear = rng.bernoulli(0.03);
        sim.io.enable.poke(enable);
        sim.io.clear.poke(clear);
        await sim.io.wrap.expect(enable && expected === 255 ? 1 : 0, `cycle ${i}`);
        sim.step();
        expected = clear ? 0 : enable ? (expected + 1) % (1 << WIDTH) : expected;
        await sim.io.count.expect(expected, `cycle ${i}`);
      }
    } finally {
      await sim.close();
    }
    const transcript = sim.transcript!;
    const verilatorValues = transcript.filter((e) => e.op === 'peek').map((e) => e.value);
    const icarusValues = await replayOnIcarus(design, transcript, path.join('build', 'icarus'));
    check(icarusValues.length === verilatorValues.length, () => `Icarus gave ${icarusValues.length} values for ${verilatorValues.length} peeks`);
    const firstDiff = icarusValues.findIndex((v, i) => v !== verilatorValues[i]);
    check(firstDiff < 0, () => `Icarus and Verilator differ at peek ${firstDiff}: ${icarusValues[firstDiff]} vs ${verilatorValues[firstDiff]}`);
    return { cycles: CYCLES, details: `${verilatorValues.length} peeks identical in Verilator and Icarus`, metrics: { peeks: verilatorValues.length } };
  },
});
