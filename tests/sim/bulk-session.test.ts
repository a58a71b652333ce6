// Bulk sessions: many jobs in one model process. Each job must give exactly
// what a process of its own gives, see nothing of the jobs before it, and fail
// as loudly as runBulk does. One small model; fake binaries for the faults.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { elaborate } from '../../hw/index.ts';
import { buildModel, type VerilatedModel } from '../../sim/verilator/build.ts';
import { runBulk, type BulkJob, type BulkResult } from '../../sim/verilator/bulk.ts';
import { BulkSession } from '../../sim/verilator/bulk-session.ts';
import { fakeModel as fakeModelIn } from './fixtures/fake-model.ts';
import { FaultTarget } from './fixtures/fault-target.ts';

let model: VerilatedModel;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bulk-session-'));

beforeAll(async () => {
  model = await buildModel(elaborate(FaultTarget, {}));
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const fakeModel = (name: string, script: string): VerilatedModel => fakeModelIn(model, scratch, name, script);

const emit = (limit: number, more: Partial<BulkJob> = {}): BulkJob => ({ seed: 1, config: { limit, addr: 5 }, outputs: [{ prefix: 'out', stall: 0.3 }], donePort: 'done', peek: ['data'], dumpMemories: ['lut'], ...more });

/** What a job's result says about the design, without the timings. */
const essence = (r: BulkResult) => ({ status: r.status, cycles: r.cycles, columns: r.columns, lastBeatCycle: r.lastBeatCycle, peeks: r.peeks, memories: r.memories });

describe('a session runs jobs as separate processes would', () => {
  test('each job equals runBulk on it; a job sees no register or memory of the job before', async () => {
    const full = Array.from({ length: 64 }, (_, i) => 1000 + i);
    const jobs = [
      emit(100, { loadMemories: { lut: full } }),
      // A shorter image: the elements after it are zero, not the last job's.
      emit(30, { loadMemories: { lut: [7, 8] }, seed: 9 }),
      // No image at all: the whole memory is zero, the counter starts from 0.
      emit(3),
    ];
    const session = BulkSession.open(model);
    try {
      const inSession = await Promise.all(jobs.map((j) => session.run(j)));
      const alone = [];
      for (const j of jobs) alone.push(await runBulk(model, j));
      expect(inSession.map(essence)).toEqual(alone.map(essence));
      expect([...(inSession[1]!.memories.lut as Uint32Array).slice(0, 4)]).toEqual([7, 8, 0, 0]);
      expect(inSession[0]!.peeks.data).toBe(1005n);
      expect(inSession[1]!.peeks.data).toBe(0n);
      expect((inSession[2]!.memories.lut as Uint32Array).every((v) => v === 0)).toBe(true);
      expect(inSession[2]!.columns.out![0]).toEqual(Uint32Array.from([0, 1, 2]));
      // The model reports where each job's time went, within the time waited for it.
      for (const { timing: t } of inSession) {
        expect(t.runMs).toBeGreaterThan(0);
        expect(t.constructMs + t.loadMs + t.runMs + t.dumpMs).toBeLessThanOrEqual(t.modelMs);
      }
    } finally {
      await session.close();
    }
  });

  test('a job that reaches its cycle limit fails alone; the next job runs', async () => {
    const session = BulkSession.open(model);
    try {
      await expect(session.run(emit(1000, { maxCycles: 50 }))).rejects.toThrow(/FaultTarget did not finish within 50 cycles \(seed 1\); job: \S+job\.txt/);
      expect((await session.run(emit(10))).columns.out![0]!.length).toBe(10);
    } finally {
      await session.close();
    }
  });

  test('a job refused before it runs fails alone', async () => {
    const session = BulkSession.open(model);
    try {
      await expect(session.run(emit(10, { seed: 1.5 }))).rejects.toThrow(/the seed must be an integer/);
      await expect(session.run(emit(10, { loadMemories: { nowhere: [1] } }))).rejects.toThrow(/FaultTarget has no memory 'nowhere' open to testbenches/);
      expect((await session.run(emit(4))).status).toBe('done');
    } finally {
      await session.close();
    }
  });

  test('after close(), a job says the session is closed', async () => {
    const session = BulkSession.open(model);
    await session.close();
    await expect(session.run(emit(4))).rejects.toThrow(/the bulk session of FaultTarget is closed/);
  });
});

describe('a session whose model fails', () => {
  test('a model that dies under a job fails it and every later job, with its output and the job to reproduce', async () => {
    const fake = fakeModel('dies', 'read line\necho "harness: cannot read memory image x" >&2\nexit 2');
    const session = BulkSession.open(fake);
    const first = session.run(emit(10));
    const second = session.run(emit(10));
    await expect(first).rejects.toThrow(/the bulk session of FaultTarget failed \(exit 2\):\nharness: cannot read memory image x\nTo reproduce: \S+\/dies\/sim --bulk \S+job\.txt \S+result\.txt/);
    await expect(second).rejects.toThrow(/failed \(exit 2\)/);
    await session.close();
  });

  test('a model that answers something else than "done" fails the session', async () => {
    const fake = fakeModel('chatty', 'read line\necho "hello"\nexec sleep 30');
    const session = BulkSession.open(fake);
    await expect(session.run(emit(10))).rejects.toThrow(/the bulk session of FaultTarget answered 'hello' to a job/);
    await session.close();
  });

  test('a stopped model ends at the job\'s wall-clock limit instead of hanging', async () => {
    const fake = fakeModel('stopped', 'read line\nkill -STOP $$');
    const session = BulkSession.open(fake);
    await expect(session.run(emit(10, { timeoutMs: 300 }))).rejects.toThrow(/did not finish within its wall-clock limit \(300 ms\)\nTo reproduce: /);
    await expect(session.run(emit(10))).rejects.toThrow(/wall-clock limit/);
    await session.close();
  });

  test('an aborted job ends the model and says it was cancelled', async () => {
    const fake = fakeModel('slow', 'read line\nexec sleep 30');
    const session = BulkSession.open(fake);
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 200);
    const t0 = Date.now();
    await expect(session.run(emit(10, { signal: stop.signal }))).rejects.toThrow(/was cancelled/);
    expect(Date.now() - t0).toBeLessThan(10_000);
    await session.close();
  });
});

describe('memory images', () => {
  test('the model refuses an image that is not whole elements, longer than the memory or beyond its file', async () => {
    const dir = fs.mkdtempSync(path.join(scratch, 'image-'));
    const lut = model.memories.find((m) => m.path === 'lut')!;
    const file = `${dir}/images.bin`;
    for (const [fileBytes, offset, bytes, message] of [
      [5, 0, 5, `harness: memory image ${file} at byte 0 must be whole elements of 4 bytes, at most 256 bytes for lut; it is 5`],
      [300, 8, 260, `harness: memory image ${file} at byte 8 must be whole elements of 4 bytes, at most 256 bytes for lut; it is 260`],
      [8, 4, 8, `harness: cannot read 8 bytes of memory image ${file} at byte 4`],
    ] as const) {
      fs.writeFileSync(file, Buffer.alloc(fileBytes));
      fs.writeFileSync(path.join(dir, 'job.txt'), `seed 1\nmemload ${lut.index} ${file} ${offset} ${bytes}\n`);
      const r = await execa(model.binary, ['--bulk', path.join(dir, 'job.txt'), path.join(dir, 'result.txt')], { reject: false });
      expect(r.exitCode).toBe(2);
      expect(r.stderr.trim()).toBe(message);
    }
  });
});
