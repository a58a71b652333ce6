// Fault injection: the simulation flows under concurrent use, killed and
// stopped models, failed writes, corrupted caches and bad job numbers. Each
// case once returned wrong data or hung (issue 8); each must now fail loudly
// or give the right answer. Kept fast: one small model, fake binaries for the
// process faults.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { defineModule, elaborate, reg, UInt, when } from '../../hw/index.ts';
import { Counter } from '../../hw/examples/counter.ts';
import { buildModel, cacheFolderProblem, toolFilesIdentity, type VerilatedModel } from '../../sim/verilator/build.ts';
import { modelCacheKey } from '../../sim/verilator/model-key.ts';
import { runBulk, type BulkJob } from '../../sim/verilator/bulk.ts';
import { Simulation } from '../../sim/verilator/session.ts';
import { fakeModel as fakeModelIn } from './fixtures/fake-model.ts';
import { FaultTarget } from './fixtures/fault-target.ts';

const design = elaborate(FaultTarget, {});
let model: VerilatedModel;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-faults-'));
const tsxRun = (script: string, args: string[] = []) => [process.execPath, '--import', 'tsx', path.resolve(script), ...args];

beforeAll(async () => {
  model = await buildModel(design);
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** The real model's description with another binary: a shell script that misbehaves. */
const fakeModel = (name: string, script: string): VerilatedModel => fakeModelIn(model, scratch, name, script);

const emit = (limit: number): BulkJob => ({ seed: 1, config: { limit }, outputs: [{ prefix: 'out' }], donePort: 'done' });

describe('concurrent sessions of one model', () => {
  test('loading different images at once leaves each session its own', async () => {
    const a = Simulation.open(model, design.top.spec);
    const b = Simulation.open(model, design.top.spec);
    try {
      const imageA = Array.from({ length: 64 }, (_, i) => BigInt(1000 + i));
      const imageB = Array.from({ length: 64 }, (_, i) => BigInt(2000 + i));
      await Promise.all([a.loadMemory('lut', imageA), b.loadMemory('lut', imageB)]);
      a.poke('addr', 5);
      b.poke('addr', 5);
      a.step();
      b.step();
      expect([await a.peek('data'), await b.peek('data')]).toEqual([1005n, 2005n]);
      const [dumpA, dumpB] = await Promise.all([a.dumpMemory('lut'), b.dumpMemory('lut')]);
      expect([...dumpA].map(BigInt)).toEqual(imageA);
      expect([...dumpB].map(BigInt)).toEqual(imageB);
      // Several calls of one session at once each get their own file too.
      const dumps = await Promise.all([a.dumpMemory('lut'), a.dumpMemory('lut'), a.dumpMemory('lut')]);
      for (const d of dumps) expect(d[63]).toBe(1063);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  test('after close(), a poke says the session is closed', async () => {
    const s = Simulation.open(model, design.top.spec);
    s.poke('addr', 1);
    await s.close();
    expect(() => s.poke('addr', 2)).toThrow(/the simulation of FaultTarget is closed; start a new one/);
    await expect(s.peek('data')).rejects.toThrow(/is closed/);
  });
});

describe('failed writes and lost beats', () => {
  test('a model killed by the file size limit is reported with the signal', async () => {
    // 40,000 beats are 160 kB; the limit is 64 kB.
    const [node, ...args] = tsxRun('tests/sim/fixtures/bulk-run.ts', ['40000']);
    const r = await execa('bash', ['-c', 'ulimit -f 64; exec "$0" "$@"', node!, ...args], { reject: false });
    expect(r.stdout).toBe('');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/the bulk simulation of FaultTarget was killed by SIGXFSZ/);
    expect(r.stderr).toMatch(/To reproduce: \S+\/obj\/sim --bulk \S+job\.txt \S+result\.txt/);
    // Under the limit the same run succeeds.
    const ok = await execa('bash', ['-c', 'ulimit -f 64; exec "$0" "$@"', node!, ...tsxRun('tests/sim/fixtures/bulk-run.ts', ['1000']).slice(1)], { reject: false });
    expect(ok.stdout).toBe('idle 1000');
  });

  test('a write that fails without a signal (EFBIG with SIGXFSZ ignored, or a full disk) ends the model with exit 2 and the cause', async () => {
    const dir = fs.mkdtempSync(path.join(scratch, 'efbig-'));
    const index = (name: string) => model.ports.find((p) => p.name === name)!.index;
    const job = [
      'seed 1', 'reset 1', 'maxcycles 1000000', 'drain 16',
      `poke ${index('limit')} ${(40_000).toString(16)}`,
      `outstream out ${index('out_valid')} ${index('out_ready')} 1 ${index('out_bits')} ${dir}/out.bin 0`,
    ];
    fs.writeFileSync(path.join(dir, 'job.txt'), `${job.join('\n')}\n`);
    const r = await execa('bash', ['-c', `trap '' XFSZ; ulimit -f 64; exec "$0" --bulk "$1" "$2"`, model.binary, `${dir}/job.txt`, `${dir}/result.txt`], { reject: false });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^harness: cannot write stream file \S+out\.bin: File too large/);
    expect(fs.existsSync(path.join(dir, 'result.txt'))).toBe(false);
  });

  test('an output file with fewer beats than the model reports is an error, not a short result', async () => {
    const fake = fakeModel(
      'short-output',
      `out=$(awk '$1=="outstream"{print $(NF-1)}' "$2")\nprintf 'abcdabcdabcd' > "$out"\nprintf 'status done\\ncycles 5\\nproduced out 10 4\\nend\\n' > "$3"`,
    );
    await expect(runBulk(fake, emit(10))).rejects.toThrow(/reports 10 beats on stream 'out' but its file holds 12 bytes \(3 whole beats\)/);
  });

  test('a result file without its last line is an error', async () => {
    const fake = fakeModel('cut-result', `out=$(awk '$1=="outstream"{print $(NF-1)}' "$2")\n: > "$out"\nprintf 'status done\\ncycles 5\\n' > "$3"`);
    await expect(runBulk(fake, emit(10))).rejects.toThrow(/unusable result file \(it does not end with the line "end"\)/);
  });
});

describe('crashed, stopped and missing models', () => {
  test('a model killed by a signal is reported with the signal and the command to reproduce', async () => {
    const fake = fakeModel('killed', 'echo "half a line" >&2\nkill -KILL $$');
    const error = await runBulk(fake, emit(10)).catch((e: Error) => e);
    expect(String(error)).toMatch(/the bulk simulation of FaultTarget was killed by SIGKILL/);
    expect(String(error)).toMatch(/half a line/);
    expect(String(error)).toContain(`To reproduce: ${fake.binary} --bulk `);
  });

  test('an interactive model that exits while in use fails the next call with the command to reproduce', async () => {
    const fake = fakeModel('exits', 'echo "gone" >&2\nexit 0');
    const s = Simulation.open(fake, design.top.spec);
    await expect(s.peek('data')).rejects.toThrow(/the simulation of FaultTarget exited \(code 0\) while in use: gone\nTo reproduce: \S+\/exits\/sim/);
    expect(() => s.step(1000)).toThrow(/exited \(code 0\) while in use/);
    await s.close();
  });

  test('a missing binary is reported as such, with the command', async () => {
    const gone = { ...model, binary: path.join(scratch, 'no-such-dir', 'sim') };
    const error = await runBulk(gone, emit(10)).catch((e: Error) => e);
    expect(String(error)).toMatch(/could not start: .*ENOENT/);
    expect(String(error)).toContain(`To reproduce: ${gone.binary} --bulk `);
  });

  test('a stopped model ends at the wall-clock limit instead of hanging', async () => {
    const fake = fakeModel('stopped', 'kill -STOP $$');
    await expect(runBulk(fake, { ...emit(10), timeoutMs: 300 })).rejects.toThrow(/did not finish within its wall-clock limit/);
  });

  test('an aborted run ends the model and says it was cancelled', async () => {
    const fake = fakeModel('slow', 'exec sleep 30');
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 200);
    const t0 = Date.now();
    await expect(runBulk(fake, { ...emit(10), signal: stop.signal })).rejects.toThrow(/was cancelled/);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  test('an aborted interactive session fails its pending peek', async () => {
    const stop = new AbortController();
    const s = Simulation.open(model, design.top.spec, { signal: stop.signal });
    await s.peek('data');
    stop.abort();
    await expect(s.peek('data')).rejects.toThrow(/was cancelled/);
    await s.close();
  });
});

describe('job numbers are checked before they reach the model', () => {
  const bad: Array<[string, Partial<BulkJob>, RegExp]> = [
    ['maxCycles -1 (read as 2^64 - 1: runs forever)', { maxCycles: -1 }, /maxCycles must be an integer from 1 to 2\^53 - 1, got -1/],
    ['maxCycles NaN', { maxCycles: NaN }, /maxCycles must be an integer from 1 .* got NaN/],
    ['maxCycles 0', { maxCycles: 0 }, /maxCycles must be an integer from 1 .* got 0/],
    ['drainCycles 0 (never drains)', { donePort: undefined, drainCycles: 0 }, /drainCycles must be an integer from 1 .* got 0/],
    ['resetCycles -1', { resetCycles: -1 }, /resetCycles must be an integer from 0 .* got -1/],
    ['resetCycles NaN', { resetCycles: NaN }, /resetCycles must be an integer from 0 .* got NaN/],
    ['seed 1e21 (written as 1e+21, run as seed 1)', { seed: 1e21 }, /the seed must be an integer from 0 to 2\^53 - 1, got 1e\+21/],
    ['seed 1.5', { seed: 1.5 }, /the seed must be an integer/],
    ['timeoutMs 0', { timeoutMs: 0 }, /timeoutMs must be a positive number/],
  ];
  for (const [what, change, message] of bad) {
    test(what, async () => {
      await expect(runBulk(model, { ...emit(10), ...change })).rejects.toThrow(message);
    });
  }

  test('reset(-1), reset(NaN), step(1.5) and resetCycles -1 are refused by the session', async () => {
    expect(() => Simulation.open(model, design.top.spec, { resetCycles: -1 })).toThrow(/resetCycles -1: the cycle count must be an integer >= 0/);
    const s = Simulation.open(model, design.top.spec);
    try {
      expect(() => s.reset(-1)).toThrow(/reset -1: the cycle count must be an integer >= 1/);
      expect(() => s.reset(NaN)).toThrow(/reset NaN/);
      expect(() => s.step(1.5)).toThrow(/step 1.5/);
      expect(() => s.step(1e300)).toThrow(/step 1e\+300/);
    } finally {
      await s.close();
    }
  });

  test('the model itself refuses a job line it cannot read whole', async () => {
    const dir = fs.mkdtempSync(path.join(scratch, 'job-'));
    for (const line of ['seed 1e+21', 'maxcycles -1', 'drain 0', 'reset -1', 'seed 5 7']) {
      fs.writeFileSync(path.join(dir, 'job.txt'), `${line}\n`);
      const r = await execa(model.binary, ['--bulk', path.join(dir, 'job.txt'), path.join(dir, 'result.txt')], { reject: false });
      expect(r.exitCode, line).toBe(2);
      expect(r.stderr, line).toMatch(/^harness: /);
    }
  });
});

describe('the model cache', () => {
  test('a folder whose binary was deleted is removed, named and rebuilt; later runs reuse the rebuilt one', async () => {
    const cacheDir = path.join(scratch, 'cache-repair');
    const counter = elaborate(Counter, { width: 5 });
    const first = await buildModel(counter, { cacheDir });
    // A staging folder of a process that no longer exists (killed with SIGKILL).
    const abandoned = path.join(cacheDir, '.build-Counter_width5-0123456789abcdef-4194000-deadbeef');
    fs.mkdirSync(abandoned);
    fs.rmSync(first.binary);
    const stderr: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => (stderr.push(String(chunk)), true)) as typeof process.stderr.write;
    let second: VerilatedModel;
    try {
      second = await buildModel(counter, { cacheDir });
    } finally {
      process.stderr.write = write;
    }
    expect(second.built).toBe(true);
    expect(second.repaired).toBe(first.dir);
    expect(stderr.join('')).toContain(`removed the broken model cache folder ${first.dir}: its binary obj/sim is missing`);
    expect(fs.readdirSync(cacheDir).sort()).toEqual([path.basename(first.dir)]);
    const third = await buildModel(counter, { cacheDir });
    expect(third.built).toBe(false);
    const s = Simulation.open(third, counter.top.spec);
    s.poke('enable', 1);
    s.step(3);
    await s.expect('count', 3);
    await s.close();
  });

  test('a truncated, emptied, replaced or unmarked binary is found broken', async () => {
    const copy = path.join(scratch, 'cache-copy');
    fs.cpSync(model.dir, copy, { recursive: true });
    const binary = path.join(copy, 'obj', 'sim');
    const original = fs.readFileSync(binary);
    expect(cacheFolderProblem(copy)).toBeUndefined();
    fs.writeFileSync(binary, original.subarray(0, 1000));
    expect(cacheFolderProblem(copy)).toMatch(/its binary obj\/sim is 1000 bytes, \d+ when built/);
    fs.writeFileSync(binary, '');
    expect(cacheFolderProblem(copy)).toMatch(/is 0 bytes/);
    const flipped = Buffer.from(original);
    flipped[flipped.length - 1] ^= 0xff;
    fs.writeFileSync(binary, flipped);
    expect(cacheFolderProblem(copy)).toBe('its binary obj/sim changed since it was built');
    fs.writeFileSync(binary, original);
    fs.rmSync(path.join(copy, 'complete.json'));
    expect(cacheFolderProblem(copy)).toMatch(/no valid complete.json \(the build never finished\)/);
  });

  test('cache folders get the usual permissions, not mkdtemp\'s 0700', () => {
    const probe = path.join(scratch, 'probe');
    fs.mkdirSync(probe);
    const usual = fs.statSync(probe).mode & 0o777;
    expect(fs.statSync(model.dir).mode & 0o777).toBe(usual);
  });

  test('the kept tool versions are asked again once Verilator or the compiler is reinstalled', () => {
    const bin = path.join(scratch, 'tools-bin');
    fs.mkdirSync(bin);
    const install = (name: string, text: string): void => {
      // As an installer does: a new file renamed over the old one.
      fs.writeFileSync(path.join(bin, `${name}.new`), text, { mode: 0o755 });
      fs.renameSync(path.join(bin, `${name}.new`), path.join(bin, name));
    };
    install('verilator', '#!/bin/sh\n');
    install('verilator_bin', 'v1');
    install('g++', 'c1');
    const wrapper = path.join(bin, 'verilator');
    const cxx = path.join(bin, 'g++');
    const before = toolFilesIdentity(wrapper, cxx);
    expect(toolFilesIdentity(wrapper, cxx)).toBe(before);
    install('verilator_bin', 'v1');
    const afterVerilator = toolFilesIdentity(wrapper, cxx);
    expect(afterVerilator).not.toBe(before);
    install('g++', 'c1');
    expect(toolFilesIdentity(wrapper, cxx)).not.toBe(afterVerilator);
  });

  test('the key changes with the tool versions, the Verilator flags and the design, and only with them', () => {
    const design = elaborate(Counter, { width: 8 });
    const inputs = { verilator: 'Verilator 5.006', cxx: 'g++ 12.2.0', flags: ['--cc'], harness: 'h' };
    const key = modelCacheKey(design, inputs);
    expect(modelCacheKey(design, { ...inputs, verilator: 'Verilator 5.008' })).not.toBe(key);
    expect(modelCacheKey(design, { ...inputs, cxx: 'g++ 13.1.0' })).not.toBe(key);
    expect(modelCacheKey(design, { ...inputs, flags: ['--cc', '-O3'] })).not.toBe(key);
    expect(modelCacheKey(design, { ...inputs, harness: 'h2' })).not.toBe(key);
    // The same module name, other logic: the cache folder's name differs only by the key.
    const CountsByTwo = defineModule({
      name: 'Counter',
      io: Counter.io,
      body: (io, p: { width: number }) => {
        const count = reg(UInt(p.width), { name: 'count_q', init: 0 });
        when(io.clear, () => count.set(0)).elseWhen(io.enable, () => count.set(count.add(2)));
        io.count.set(count);
        io.wrap.set(count.eq((1 << p.width) - 1).named('at_max').and(io.enable));
      },
    });
    const tweaked = elaborate(CountsByTwo, { width: 8 });
    expect(tweaked.top.displayName).toBe(design.top.displayName);
    expect(modelCacheKey(tweaked, inputs)).not.toBe(key);
    // A fresh elaboration of the unchanged design hits.
    expect(modelCacheKey(elaborate(Counter, { width: 8 }), inputs)).toBe(key);
  });

  test('SIGTERM during a build ends the compiler processes and leaves no folder behind', async () => {
    const cacheDir = path.join(scratch, 'cache-interrupted');
    fs.mkdirSync(cacheDir);
    // A width no other test builds, so the build really starts.
    const [node, ...args] = tsxRun('tests/sim/fixtures/build-in.ts', [cacheDir, '13']);
    const proc = execa(node!, args, { reject: false, all: true });
    const inCache = (): number[] =>
      fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number).filter((pid) => {
        try {
          return fs.readlinkSync(`/proc/${pid}/cwd`).startsWith(cacheDir);
        } catch {
          return false;
        }
      });
    // Wait until the compiler runs inside the staging folder.
    for (let i = 0; i < 600 && inCache().length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(inCache().length).toBeGreaterThan(0);
    proc.kill('SIGTERM');
    const r = await proc;
    expect(r.signal).toBe('SIGTERM');
    await new Promise((res) => setTimeout(res, 300));
    expect(inCache()).toEqual([]);
    expect(fs.readdirSync(cacheDir), r.all).toEqual([]);
  });
});
