import { expect, test } from 'vitest';
import { counterTestbench } from '../../tb/examples/counter.tb.ts';
import { fifoTestbench } from '../../tb/examples/fifo.tb.ts';
import { histogramTestbench } from '../../tb/examples/histogram.tb.ts';
import { popcountTestbench } from '../../tb/examples/popcount.tb.ts';
import { uartTxTestbench } from '../../tb/examples/uart-tx.tb.ts';

// The same testbenches `make sim` runs, each with a seed of its own.
test.each([
  { tb: counterTestbench, seed: 11 },
  { tb: fifoTestbench, seed: 12 },
  { tb: histogramTestbench, seed: 15 },
  { tb: popcountTestbench, seed: 13 },
  { tb: uartTxTestbench, seed: 14 },
])('$tb.name simulates correctly (seed $seed)', async ({ tb, seed }) => {
  const r = await tb.run({ seed });
  expect(r.failure).toBeUndefined();
  expect(r.passed).toBe(true);
  expect(r.cycles).toBeGreaterThan(0);
});
