import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { elaborate } from '../../hw/index.ts';
import { Counter } from '../../hw/examples/counter.ts';
import { replayOnIcarus } from '../../sim/icarus.ts';
import type { TranscriptEntry } from '../../sim/verilator/session.ts';
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

test('replays on Icarus at the same time each get their own values (every run has private scratch files)', async () => {
  const design = elaborate(Counter, { width: 8 });
  const transcript = (enableCycles: number): TranscriptEntry[] => [
    { op: 'reset', cycles: 1 },
    { op: 'poke', port: 'enable', value: 1n },
    { op: 'step', cycles: enableCycles },
    { op: 'peek', port: 'count', value: 0n },
  ];
  const parent = path.join('build', 'test-icarus');
  fs.rmSync(parent, { recursive: true, force: true });
  const runs = [3, 7, 11, 19];
  const values = await Promise.all(runs.map((n) => replayOnIcarus(design, transcript(n), parent)));
  expect(values).toEqual(runs.map((n) => [BigInt(n)]));
  // Succeeded runs leave nothing behind.
  expect(fs.readdirSync(parent)).toEqual([]);
});
