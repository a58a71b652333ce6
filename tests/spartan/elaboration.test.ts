import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { findDesign } from '../../gen/designs.ts';
import { writeVerilog } from '../../gen/write.ts';
import { elaborate, HwError } from '../../hw/index.ts';
import { CompactionEngine, DEFAULT_COMPACTION_ENGINE } from '../../hw/spartan/compaction-engine.ts';
import { DEFAULT_SPARSITY_MONITOR, SparsityMonitor } from '../../hw/spartan/sparsity-monitor.ts';
import { lintVerilog } from '../../toolchain/verilator-files.ts';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'spartan-lint-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('the V = 16 front-end designs of gen/designs.ts', () => {
  test.each(['sparsity_monitor', 'sparsity_monitor_hwc', 'compaction_engine'])('%s passes verilator --lint-only -Wall silently', async (name) => {
    const written = writeVerilog(findDesign(name).elaborate(), path.join(scratch, name));
    const r = await lintVerilog(written.top, written.files);
    expect(r.output).toBe('');
    expect(r.exitCode).toBe(0);
  });
});

describe('parameters the hardware cannot honour are refused at elaboration', () => {
  test.each([
    [{ lanes: 3 }, /lanes must be 2, 4, 8, 16 or 32/],
    [{ lanes: 64 }, /lanes must be 2, 4, 8, 16 or 32/],
    [{ outLanes: 0 }, /outLanes/],
    [{ pointerBits: 2 }, /pointerBits/],
  ])('compaction engine %o', (change, reason) => {
    expect(() => elaborate(CompactionEngine, { ...DEFAULT_COMPACTION_ENGINE, ...change })).toThrow(HwError);
    expect(() => elaborate(CompactionEngine, { ...DEFAULT_COMPACTION_ENGINE, ...change })).toThrow(reason);
  });

  test.each([
    [{ maxTiles: 100 }, /maxTiles must be a power of two/],
    [{ maxChannels: 65536 }, /maxChannels/],
    [{ lanes: 6, channelLayout: 'interleaved' as const }, /lanes must be a power of two/],
    [{ countBits: 8 }, /countBits/],
  ])('sparsity monitor %o', (change, reason) => {
    expect(() => elaborate(SparsityMonitor, { ...DEFAULT_SPARSITY_MONITOR, ...change })).toThrow(reason);
  });
});
