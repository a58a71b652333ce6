import { UartTx } from '../../hw/examples/uart-tx.ts';
import { Rng } from '../../sim/golden/random.ts';
import { Simulation } from '../../sim/verilator/session.ts';
import { check, defineTestbench } from '../testbench.ts';

const CYCLES_PER_BIT = 4;
const BYTES = 24;

/**
 * Sends random bytes and decodes the serial line the way a receiver would:
 * find the falling edge of the start bit, sample every bit in its middle.
 */
export const uartTxTestbench = defineTestbench({
  name: 'uart_tx',
  description: 'UART transmitter FSM: random bytes decoded from the serial line',
  run: async ({ seed }) => {
    const sim = await Simulation.start(UartTx, { cyclesPerBit: CYCLES_PER_BIT });
    const rng = new Rng(seed);
    const sent = Array.from({ length: BYTES }, () => rng.nextInt(256));
    // The line idles high before the first cycle, so a frame starting at
    // cycle 0 still shows its falling edge.
    const line: number[] = [1];
    let next = 0;
    try {
      const frame = 10 * CYCLES_PER_BIT;
      for (let cycle = 0; cycle < BYTES * (frame + 8) && (next < BYTES || (await sim.io.busy.peek()) === 1n); cycle++) {
        const offer = next < BYTES && rng.bernoulli(0.5);
        sim.io.data.valid.poke(offer);
        sim.io.data.bits.poke(offer ? sent[next]! : 0);
        if (offer && (await sim.io.data.ready.peek()) === 1n) next++;
        sim.step();
        line.push(Number(await sim.io.tx.peek()));
      }
    } finally {
      await sim.close();
    }
    const received: number[] = [];
    for (let i = 1; i < line.length; i++) {
      if (!(line[i - 1] === 1 && line[i] === 0)) continue;
      const mid = (bit: number): number => line[i + bit * CYCLES_PER_BIT + (CYCLES_PER_BIT >> 1)] ?? -1;
      check(mid(0) === 0, () => `start bit at cycle ${i} is not held low`);
      let byte = 0;
      for (let b = 0; b < 8; b++) byte |= mid(b + 1) << b;
      check(mid(9) === 1, () => `stop bit of frame at cycle ${i} is not high`);
      received.push(byte);
      i += 9 * CYCLES_PER_BIT;
    }
    check(received.length === BYTES, () => `decoded ${received.length} frames, sent ${BYTES}`);
    const bad = received.findIndex((b, i) => b !== sent[i]);
    check(bad < 0, () => `frame ${bad} decoded as 0x${received[bad]?.toString(16)}, sent 0x${sent[bad]?.toString(16)}`);
    return { cycles: line.length - 1, details: `${BYTES} frames decoded at ${CYCLES_PER_BIT} cycles/bit`, metrics: { bytes: BYTES } };
  },
});
