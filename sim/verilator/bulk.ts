import fs from 'node:fs';
import path from 'node:path';
import { execa, type Result } from 'execa';
import { SimulationError, tail, type VerilatedModel } from './build.ts';
import type { HarnessMemory, HarnessPort } from './harness.ts';
import { hexOf, packColumns, unpackColumns, type Column, type OutputColumn } from './words.ts';

export type { Column, OutputColumn };

/** A ready/valid stream of the top module, named by its port prefix. */
export interface StreamSpec {
  /** Port prefix: `in` means `in_valid`, `in_ready` and the data ports `in_*`. */
  readonly prefix: string;
  /**
   * Probability (0..1) that in a given cycle the testbench withholds a beat
   * (input streams) or withholds ready (output streams).
   */
  readonly stall?: number;
}

export interface InputStream extends StreamSpec {
  /** One entry per beat: one value per data port, in port order. */
  readonly beats?: readonly (readonly bigint[])[];
  /**
   * The same data by column, one array per data port (all of one length):
   * the fast form for long streams.
   */
  readonly columns?: readonly Column[];
}



export interface BulkJob {
  /** Held input values (configuration), by port name. */
  readonly config?: Readonly<Record<string, number | bigint>>;
  readonly inputs?: readonly InputStream[];
  readonly outputs?: readonly StreamSpec[];
  /** Stop after the cycle where this output is 1. */
  readonly donePort?: string;
  /** Without a done port: stop once inputs are used up and no stream moved for this many cycles (>= 1, default 64). */
  readonly drainCycles?: number;
  /** Simulated cycles after which the run is an error (>= 1, default 10,000,000). */
  readonly maxCycles?: number;
  /** Seeds the back-pressure and bubble generators: an integer from 0 to 2^53 - 1. */
  readonly seed: number;
  /** Cycles of reset before the run (default 1; 0: none). */
  readonly resetCycles?: number;
  /** Wall-clock limit of the model's process in milliseconds (default one hour; Infinity: none). */
  readonly timeoutMs?: number;
  /** Ends the model's process when aborted; the run then fails with the reason. */
  readonly signal?: AbortSignal;
  /** Output ports to read when the run ends (counters, flags). */
  readonly peek?: readonly string[];
  /** FST waveform file (the model must be built with trace: true). */
  readonly waveform?: string;
  /** Memory images loaded before reset, by hierarchical path (`inst.mem`); shorter images leave the rest zero. */
  readonly loadMemories?: Readonly<Record<string, Column>>;
  /** Memories to read back when the run ends, by hierarchical path. */
  readonly dumpMemories?: readonly string[];
}

export interface BulkResult {
  readonly status: 'done' | 'idle';
  /** Clock cycles after reset until the stop condition. */
  readonly cycles: number;
  /**
   * Output streams by column: per data port, Uint32Array (Int32Array for SInt)
   * up to 32 bits, bigint[] above.
   */
  readonly columns: Record<string, OutputColumn[]>;
  /** Beats per output stream, one value per data port each (built on first use). */
  readonly outputs: Record<string, bigint[][]>;
  /** Cycle of the last beat on each output stream. */
  readonly lastBeatCycle: Record<string, number>;
  readonly consumed: Record<string, number>;
  readonly peeks: Record<string, bigint>;
  /** Contents of the memories asked for in `dumpMemories`. */
  readonly memories: Record<string, OutputColumn>;
  readonly wallMs: number;
  /** CPU time of the job in the model's process (all its threads, not the process start), as the model measured it. */
  readonly cpuMs: number;
  readonly seed: number;
  /** Where the wall time went. */
  readonly timing: BulkTiming;
}

/** A bulk job's wall time by phase, in milliseconds. */
export interface BulkTiming {
  /** Writing the job and image files (packing the images included). */
  readonly writeMs: number;
  /** Waiting for the model: process start (runBulk only) and everything below. */
  readonly modelMs: number;
  /** In the model: constructing it, reading the job and loading the images, reset and the clocked run, writing the dumps. */
  readonly constructMs: number;
  readonly loadMs: number;
  readonly runMs: number;
  readonly dumpMs: number;
  /** Reading the result and output files back. */
  readMs: number;
}

export function findMemory(model: VerilatedModel, memPath: string): HarnessMemory {
  const m = model.memories.find((x) => x.path === memPath);
  if (!m) {
    const known = model.memories.map((x) => x.path).join(', ') || 'none';
    throw new SimulationError(`${model.top} has no memory '${memPath}' open to testbenches (memories with testbenchAccess: ${known})`);
  }
  return m;
}

export function memoryLayout(m: HarnessMemory): { name: string; width: number; signed: boolean } {
  return { name: `memory ${m.path}`, width: m.width, signed: m.signed };
}

/** A memory image of the values given: the model zeroes the elements after them as it loads the image. */
export function memoryImage(m: HarnessMemory, values: Column): Uint8Array {
  if (values.length > m.depth) throw new SimulationError(`image of ${values.length} values for memory ${m.path} of depth ${m.depth}`);
  return packColumns(`memory ${m.path}`, [memoryLayout(m)], [values]);
}

export function writeMemoryImage(m: HarnessMemory, values: Column, file: string): void {
  fs.writeFileSync(file, memoryImage(m, values));
}

/** Bytes of a memory's dump: every element, ceil(width/32) words each. */
function dumpBytes(m: HarnessMemory): number {
  return 4 * m.depth * Math.ceil(m.width / 32);
}

interface StreamPorts {
  readonly valid: HarnessPort;
  readonly ready: HarnessPort;
  readonly data: HarnessPort[];
}

export function streamPorts(model: VerilatedModel, prefix: string, dir: 'in' | 'out'): StreamPorts {
  const find = (n: string): HarnessPort => {
    const p = model.ports.find((x) => x.name === n);
    if (!p) throw new SimulationError(`${model.top} has no port '${n}' for stream '${prefix}'`);
    return p;
  };
  const valid = find(`${prefix}_valid`);
  const ready = find(`${prefix}_ready`);
  const data = model.ports.filter((p) => p.name.startsWith(`${prefix}_`) && p !== valid && p !== ready);
  const forward = dir === 'in' ? 'in' : 'out';
  for (const p of [valid, ...data]) {
    if (p.dir !== forward) throw new SimulationError(`port '${p.name}' of stream '${prefix}' must be an ${forward}put of ${model.top}`);
  }
  if (ready.dir === forward) throw new SimulationError(`port '${ready.name}' must flow against stream '${prefix}'`);
  return { valid, ready, data };
}

function permille(stall: number | undefined, name: string): number {
  const s = stall ?? 0;
  if (!(s >= 0 && s < 1)) throw new SimulationError(`stall probability of stream '${name}' must be in [0, 1), got ${s}`);
  return Math.round(s * 1000);
}

const DEFAULT_MAX_CYCLES = 10_000_000;
const DEFAULT_TIMEOUT_MS = 3_600_000;

/** The job's numbers, checked here: the model would misread a negative, fractional or huge one. */
function jobNumbers(job: BulkJob): { seed: number; reset: number; maxCycles: number; drain: number; timeoutMs: number } {
  const integer = (what: string, v: number, min: number): number => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
      throw new SimulationError(`${what} must be an integer from ${min} to 2^53 - 1, got ${String(v)}`);
    }
    return v;
  };
  const timeoutMs = job.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0)) throw new SimulationError(`timeoutMs must be a positive number of milliseconds or Infinity, got ${String(timeoutMs)}`);
  return {
    seed: integer('the seed', job.seed, 0),
    reset: integer('resetCycles', job.resetCycles ?? 1, 0),
    maxCycles: integer('maxCycles', job.maxCycles ?? DEFAULT_MAX_CYCLES, 1),
    drain: integer('drainCycles', job.drainCycles ?? 64, 1),
    timeoutMs,
  };
}

/** What went wrong with the model's process, in words: exit code, signal, timeout, cancel or failure to start. */
export function processFailure(r: Result): string {
  if (r.isCanceled) return 'was cancelled';
  if (r.timedOut) return `did not finish within its wall-clock limit (timeout ${r.signal ?? ''}`.trimEnd() + ')';
  if (r.signal) return `was killed by ${r.signal}${r.signalDescription ? ` (${r.signalDescription})` : ''}`;
  if (r.exitCode === undefined) return `could not start: ${r.originalMessage ?? r.message}`;
  return `failed (exit ${r.exitCode})`;
}

function readWhole(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new SimulationError(`the model reported success but its ${what} ${file} cannot be read: ${(e as Error).message}`);
  }
}

/** A job written to its private folder, ready for the model, and what reading its result needs. */
export interface PreparedJob {
  readonly dir: string;
  readonly jobFile: string;
  readonly resultFile: string;
  readonly numbers: ReturnType<typeof jobNumbers>;
  readonly outPorts: ReadonlyMap<string, StreamPorts>;
  readonly dumps: ReadonlyMap<string, HarnessMemory>;
  readonly t0: number;
  readonly writeMs: number;
}

/** Checks a job and writes its job file, stream files and memory images into a folder of its own. */
export function prepareJob(model: VerilatedModel, job: BulkJob): PreparedJob {
  const t0 = performance.now();
  const numbers = jobNumbers(job);
  const runs = path.join(model.dir, 'runs');
  fs.mkdirSync(runs, { recursive: true });
  // A folder of its own: runs of one model in this or another process never share a file.
  const dir = fs.mkdtempSync(path.join(runs, `bulk-${process.pid}-`));
  const byName = new Map(model.ports.map((p) => [p.name, p]));
  const port = (n: string): HarnessPort => {
    const p = byName.get(n);
    if (!p) throw new SimulationError(`${model.top} has no port '${n}'`);
    return p;
  };
  const lines = [`seed ${numbers.seed}`, `reset ${numbers.reset}`, `maxcycles ${numbers.maxCycles}`];
  for (const [n, v] of Object.entries(job.config ?? {})) {
    const p = port(n);
    if (p.dir !== 'in') throw new SimulationError(`config port '${n}' is an output of ${model.top}`);
    lines.push(`poke ${p.index} ${hexOf(p, BigInt(v))}`);
  }
  if (job.donePort) lines.push(`done ${port(job.donePort).index}`);
  else lines.push(`drain ${numbers.drain}`);
  for (const s of job.inputs ?? []) {
    const sp = streamPorts(model, s.prefix, 'in');
    const file = path.join(dir, `in-${s.prefix}.bin`);
    if ((s.beats === undefined) === (s.columns === undefined)) {
      throw new SimulationError(`input stream '${s.prefix}' needs exactly one of 'beats' and 'columns'`);
    }
    let columns = s.columns;
    if (s.beats) {
      const beats = s.beats;
      beats.forEach((b, i) => {
        if (b.length !== sp.data.length) {
          throw new SimulationError(`beat ${i} of stream '${s.prefix}' has ${b.length} values for ${sp.data.length} data ports (${sp.data.map((p) => p.name).join(', ')})`);
        }
      });
      columns = sp.data.map((_, j) => beats.map((b) => b[j]!));
    }
    fs.writeFileSync(file, packColumns(`stream '${s.prefix}'`, sp.data, columns!));
    lines.push(`instream ${s.prefix} ${sp.valid.index} ${sp.ready.index} ${sp.data.length} ${sp.data.map((p) => p.index).join(' ')} ${file} ${permille(s.stall, s.prefix)}`);
  }
  const outPorts = new Map<string, StreamPorts>();
  for (const s of job.outputs ?? []) {
    const sp = streamPorts(model, s.prefix, 'out');
    outPorts.set(s.prefix, sp);
    lines.push(`outstream ${s.prefix} ${sp.valid.index} ${sp.ready.index} ${sp.data.length} ${sp.data.map((p) => p.index).join(' ')} ${path.join(dir, `out-${s.prefix}.bin`)} ${permille(s.stall, s.prefix)}`);
  }
  for (const n of job.peek ?? []) lines.push(`peek ${port(n).index}`);
  // All images in one file, all dumps in another: creating a file costs more
  // than writing a small image on some disks, and a job may load hundreds.
  const images: Uint8Array[] = [];
  const imageFile = path.join(dir, 'images.bin');
  let offset = 0;
  for (const [memPath, values] of Object.entries(job.loadMemories ?? {})) {
    const m = findMemory(model, memPath);
    const image = memoryImage(m, values);
    images.push(image);
    lines.push(`memload ${m.index} ${imageFile} ${offset} ${image.byteLength}`);
    offset += image.byteLength;
  }
  if (images.length > 0) fs.writeFileSync(imageFile, Buffer.concat(images));
  const dumps = new Map<string, HarnessMemory>();
  for (const memPath of job.dumpMemories ?? []) {
    const m = findMemory(model, memPath);
    if (dumps.has(memPath)) continue;
    dumps.set(memPath, m);
    lines.push(`memdump ${m.index} ${path.join(dir, 'dumps.bin')}`);
  }
  if (job.waveform) {
    if (!model.traced) throw new SimulationError(`a waveform needs a model built with trace: true`);
    lines.push(`trace ${path.resolve(job.waveform)}`);
  }
  const jobFile = path.join(dir, 'job.txt');
  const resultFile = path.join(dir, 'result.txt');
  fs.writeFileSync(jobFile, lines.join('\n') + '\n');
  return { dir, jobFile, resultFile, numbers, outPorts, dumps, t0, writeMs: performance.now() - t0 };
}

export function reproduceLine(model: VerilatedModel, job: PreparedJob): string {
  return `To reproduce: ${model.binary} --bulk ${job.jobFile} ${job.resultFile}`;
}

export function cycleLimitError(model: VerilatedModel, job: PreparedJob): SimulationError {
  return new SimulationError(`${model.top} did not finish within ${job.numbers.maxCycles} cycles (seed ${job.numbers.seed}); job: ${job.jobFile}`);
}

/** Reads a finished job's result and output files, checks them against each other and removes the job's folder. */
export function readResult(model: VerilatedModel, job: PreparedJob, seed: number, modelMs: number): BulkResult {
  const tRead = performance.now();
  const reproduce = reproduceLine(model, job);
  const result = {
    status: 'idle' as 'done' | 'idle',
    cycles: 0,
    columns: {} as Record<string, OutputColumn[]>,
    memories: {} as Record<string, OutputColumn>,
    lastBeatCycle: {} as Record<string, number>,
    consumed: {} as Record<string, number>,
    peeks: {} as Record<string, bigint>,
    wallMs: 0,
    cpuMs: 0,
    seed,
    timing: { writeMs: job.writeMs, modelMs, constructMs: 0, loadMs: 0, runMs: 0, dumpMs: 0, readMs: 0 },
  };
  const produced = new Map<string, number>();
  let complete = false;
  const bad = (why: string): SimulationError => new SimulationError(`the bulk simulation of ${model.top} wrote an unusable result file (${why}); ${reproduce}`);
  const phases = { construct: 'constructMs', load: 'loadMs', run: 'runMs', dump: 'dumpMs' } as const;
  for (const line of readWhole(job.resultFile, 'result file').toString('utf8').split('\n')) {
    const f = line.split(' ');
    if (f[0] === 'status') result.status = f[1] as 'done' | 'idle';
    else if (f[0] === 'cycles') result.cycles = Number(f[1]);
    else if (f[0] === 'cpu') result.cpuMs = Number(f[1]) / 1000;
    else if (f[0] === 'time' && f[1]! in phases) result.timing[phases[f[1] as keyof typeof phases]] = Number(f[2]) / 1000;
    else if (f[0] === 'consumed') result.consumed[f[1]!] = Number(f[2]);
    else if (f[0] === 'produced') {
      produced.set(f[1]!, Number(f[2]));
      result.lastBeatCycle[f[1]!] = Number(f[3]);
    } else if (f[0] === 'peek') {
      const p = model.ports[Number(f[1])]!;
      const v = BigInt(`0x${f[2]}`);
      result.peeks[p.name] = p.signed ? BigInt.asIntN(p.width, v) : v;
    } else if (f[0] === 'end') complete = true;
  }
  if (!complete) throw bad('it does not end with the line "end"');
  if (result.status !== 'done' && result.status !== 'idle') throw bad(`status '${String(result.status)}'`);
  for (const [prefix, sp] of job.outPorts) {
    const bytes = readWhole(path.join(job.dir, `out-${prefix}.bin`), `stream file of '${prefix}'`);
    // The model counts the beats it handed over; a file with fewer lost some on the way.
    const beatBytes = 4 * sp.data.reduce((sum, p) => sum + Math.ceil(p.width / 32), 0);
    const count = produced.get(prefix);
    if (count === undefined || bytes.length !== count * beatBytes) {
      const held = beatBytes ? `${bytes.length} bytes (${Math.floor(bytes.length / beatBytes)} whole beats)` : `${bytes.length} bytes`;
      throw new SimulationError(
        `the bulk simulation of ${model.top} reports ${count ?? 'no count of'} beats on stream '${prefix}' but its file holds ${held}; ${reproduce}`,
      );
    }
    result.columns[prefix] = unpackColumns(sp.data, bytes);
  }
  if (job.dumps.size > 0) {
    const file = path.join(job.dir, 'dumps.bin');
    const bytes = readWhole(file, 'memory dumps');
    const want = [...job.dumps.values()].reduce((sum, m) => sum + dumpBytes(m), 0);
    if (bytes.length !== want) throw bad(`its memory dumps ${file} hold ${bytes.length} bytes, ${want} for ${job.dumps.size} memories`);
    let at = 0;
    for (const [memPath, mem] of job.dumps) {
      result.memories[memPath] = unpackColumns([memoryLayout(mem)], bytes.subarray(at, at + dumpBytes(mem)))[0]!;
      at += dumpBytes(mem);
    }
  }
  fs.rmSync(job.dir, { recursive: true, force: true });
  const now = performance.now();
  result.timing.readMs = now - tRead;
  result.wallMs = now - job.t0;
  let rows: Record<string, bigint[][]> | undefined;
  return Object.defineProperty(result, 'outputs', {
    enumerable: true,
    get: () =>
      (rows ??= Object.fromEntries(
        Object.entries(result.columns).map(([prefix, cols]) => {
          const n = cols[0]?.length ?? 0;
          return [prefix, Array.from({ length: n }, (_, i) => cols.map((c) => BigInt(c[i]!)))];
        }),
      )),
  }) as BulkResult;
}

/**
 * Runs a whole job inside the model's process: streams are read from and
 * written to files, so no traffic crosses between processes per cycle.
 */
export async function runBulk(model: VerilatedModel, job: BulkJob): Promise<BulkResult> {
  const prepared = prepareJob(model, job);
  const { jobFile, resultFile, numbers } = prepared;
  const reproduce = reproduceLine(model, prepared);
  const t = performance.now();
  const r = await execa(model.binary, ['--bulk', jobFile, resultFile], {
    reject: false,
    all: true,
    // A stopped or hung model gets SIGKILL: SIGTERM waits for a stopped process to continue.
    killSignal: 'SIGKILL',
    ...(Number.isFinite(numbers.timeoutMs) ? { timeout: numbers.timeoutMs } : {}),
    ...(job.signal ? { cancelSignal: job.signal } : {}),
  });
  const modelMs = performance.now() - t;
  if (r.exitCode === 3) throw cycleLimitError(model, prepared);
  if (r.exitCode !== 0 || r.failed) {
    const output = tail(r.all ?? '', 20);
    throw new SimulationError(`the bulk simulation of ${model.top} ${processFailure(r)}${output ? `:\n${output}` : ' with no output'}\n${reproduce}`);
  }
  return readResult(model, prepared, job.seed, modelMs);
}
