import { counterTestbench } from './examples/counter.tb.ts';
import { fifoTestbench } from './examples/fifo.tb.ts';
import { histogramTestbench } from './examples/histogram.tb.ts';
import { popcountTestbench } from './examples/popcount.tb.ts';
import { uartTxTestbench } from './examples/uart-tx.tb.ts';
import { compactionEngineTestbench } from './spartan/compaction-engine.tb.ts';
import { sparsityMonitorTestbench } from './spartan/sparsity-monitor.tb.ts';
import { arrayTestbench } from './scnn/array.tb.ts';
import { peTestbench } from './scnn/pe.tb.ts';
import type { Testbench } from './testbench.ts';

/** Every cycle-accurate testbench that `make sim` runs. */
export const testbenches: readonly Testbench[] = [
  counterTestbench,
  fifoTestbench,
  histogramTestbench,
  popcountTestbench,
  uartTxTestbench,
  sparsityMonitorTestbench,
  compactionEngineTestbench,
  peTestbench,
  arrayTestbench,
];
