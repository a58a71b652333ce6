import { Simulation } from '../../sim/verilator/session.ts';
import { Counter } from './01-counter.ts';

/** Counts three enabled cycles on the Verilator model of the tutorial's counter. */
export async function simulateCounter(): Promise<void> {
  const sim = await Simulation.start(Counter, { width: 8 });   // build (cached) and reset
  sim.io.enable.poke(1);
  sim.step(3);
  await sim.io.count.expect(3);
  await sim.close();
}
