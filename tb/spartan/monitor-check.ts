import { monitorRecords, monitorTensor, type MonitorConfig } from '../../sim/golden/spartan/sparsity-monitor.ts';
import { check } from '../testbench.ts';
import type { MonitorRun } from './monitor-run.ts';

/**
 * The pass-through must carry exactly the input beats, the readout must equal
 * the golden records of every tensor, and no tensor's results may be dropped.
 */
export function checkMonitor(tensors: readonly Int32Array[], cfg: MonitorConfig, run: MonitorRun): void {
  check(run.passedThrough.length === run.inputBeats.length, () => `${run.passedThrough.length} beats passed through, ${run.inputBeats.length} were sent`);
  const altered = run.passedThrough.findIndex((b, i) => b.some((v, j) => v !== run.inputBeats[i]![j]));
  check(altered < 0, () => `pass-through beat ${altered} was altered: ${run.passedThrough[altered]} instead of ${run.inputBeats[altered]}`);
  check(!run.overrun, () => 'the monitor reports an overrun: a readout was dropped');
  const want = tensors.flatMap((t) => monitorRecords(monitorTensor(t, cfg)));
  const n = Math.max(want.length, run.records.length);
  for (let i = 0; i < n; i++) {
    const a = run.records[i];
    const b = want[i];
    check(JSON.stringify(a) === JSON.stringify(b), () => `readout record ${i} of ${run.records.length} (expected ${want.length}) is ${JSON.stringify(a)}, expected ${JSON.stringify(b)}`);
  }
}
