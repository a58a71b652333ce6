import { monitorRecords, monitorTensor, type MonitorConfig } from '../../sim/golden/spartan/sparsity-monitor.ts';
import { check } from '../testbench.ts';
import type { MonitorRun } from './monitor-run.ts';

/**
 * The pass-through must carry exactly the input beats, the readout must equal
 * the golden records of every tensor, and no tensor's results may be dropped.
 */
export function checkMonitor(tensors: readonly Int32Array[], cfg: MonitorConfig, run: MonitorRun): void {
  const beats = run.sent[0]?.length ?? 0;
  const passed = run.passedThrough[0]?.length ?? 0;
  check(passed === beats && run.passedThrough.length === run.sent.length, () => `${passed} beats passed through, ${beats} were sent`);
  run.sent.forEach((lane, j) => {
    const out = run.passedThrough[j]!;
    const altered = lane.findIndex((v, i) => Number(out[i]) !== v);
    check(altered < 0, () => `lane ${j} of pass-through beat ${altered} was altered: ${out[altered]} instead of ${lane[altered]}`);
  });
  check(!run.overrun, () => 'the monitor reports an overrun: a readout was dropped');
  const want = tensors.flatMap((t) => monitorRecords(monitorTensor(t, cfg)));
  const n = Math.max(want.length, run.records.length);
  for (let i = 0; i < n; i++) {
    const a = run.records[i];
    const b = want[i];
    check(JSON.stringify(a) === JSON.stringify(b), () => `readout record ${i} of ${run.records.length} (expected ${want.length}) is ${JSON.stringify(a)}, expected ${JSON.stringify(b)}`);
  }
}
