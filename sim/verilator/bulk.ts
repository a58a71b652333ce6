import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { SimulationError, tail, type VerilatedModel } from './build.ts';
import type { HarnessPort } from './harness.ts';

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

/** One data port's values over a stream: numbers for ports of up to 32 bits. */
export type Column = ArrayLike<number> | readonly bigint[];

export interface BulkJob {
  /** Held input values (configuration), by port name. */
  readonly config?: Readonly<Record<string, number | bigint>>;
  readonly inputs?: readonly InputStream[];
  readonly outputs?: readonly StreamSpec[];
  /** Stop after the cycle where this output is 1. */
  readonly donePort?: string;
  /** Without a done port: stop once inputs are used up and no stream moved for this many cycles. */
  readonly drainCycles?: number;
  readonly maxCycles?: number;
  /** Seeds the back-pressure and bubble generators. */
  readonly seed: number;
  readonly resetCycles?: number;
  /** Output ports to read when the run ends (counters, flags). */
  readonly peek?: readonly string[];
  /** FST waveform file (the model must be built with trace: true). */
  readonly waveform?: string;
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
  readonly wallMs: number;
  readonly seed: number;
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

export type OutputColumn = Uint32Array | Int32Array | bigint[];

function range(p: HarnessPort): [bigint, bigint] {
  return p.signed ? [-(1n << BigInt(p.width - 1)), (1n << BigInt(p.width - 1)) - 1n] : [0n, (1n << BigInt(p.width)) - 1n];
}

function misfit(p: HarnessPort, v: bigint | number): SimulationError {
  return new SimulationError(`value ${v} does not fit port '${p.name}' (${p.signed ? 'SInt' : 'UInt'}(${p.width}))`);
}

function hex(p: HarnessPort, v: bigint): string {
  const [min, max] = range(p);
  if (v < min || v > max) throw misfit(p, v);
  return BigInt.asUintN(p.width, v).toString(16);
}

const wordsOf = (p: HarnessPort): number => Math.ceil(p.width / 32);

/** Packs columns into the harness's binary beat layout. */
function encodeStream(prefix: string, ports: HarnessPort[], columns: readonly Column[]): Uint32Array {
  if (columns.length !== ports.length) {
    throw new SimulationError(`stream '${prefix}' has ${columns.length} columns for ${ports.length} data ports (${ports.map((p) => p.name).join(', ')})`);
  }
  const n = columns[0]?.length ?? 0;
  const beatWords = ports.reduce((s, p) => s + wordsOf(p), 0);
  const out = new Uint32Array(n * beatWords);
  let offset = 0;
  ports.forEach((p, j) => {
    const col = columns[j]!;
    if (col.length !== n) throw new SimulationError(`column ${j} of stream '${prefix}' has ${col.length} values, column 0 has ${n}`);
    const [min, max] = range(p);
    const w = wordsOf(p);
    for (let i = 0; i < n; i++) {
      const v = col[i]!;
      const at = i * beatWords + offset;
      if (typeof v === 'number' && p.width <= 32) {
        if (!Number.isInteger(v) || v < Number(min) || v > Number(max)) throw misfit(p, v);
        out[at] = v >>> 0;
        if (p.width < 32) out[at] &= 2 ** p.width - 1;
        continue;
      }
      const b = BigInt(v);
      if (b < min || b > max) throw misfit(p, b);
      let u = BigInt.asUintN(p.width, b);
      for (let k = 0; k < w; k++, u >>= 32n) out[at + k] = Number(u & 0xffffffffn);
    }
    offset += w;
  });
  return out;
}

/** Unpacks the harness's binary output into one typed column per data port. */
function decodeStream(ports: HarnessPort[], bytes: Buffer): OutputColumn[] {
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const beatWords = ports.reduce((s, p) => s + wordsOf(p), 0);
  const n = words.length / beatWords;
  let offset = 0;
  return ports.map((p) => {
    const w = wordsOf(p);
    const at = offset;
    offset += w;
    if (p.width <= 32) {
      const col = p.signed ? new Int32Array(n) : new Uint32Array(n);
      const shift = 32 - p.width;
      for (let i = 0; i < n; i++) {
        const x = words[i * beatWords + at]!;
        col[i] = p.signed ? (x << shift) >> shift : x;
      }
      return col;
    }
    const col: bigint[] = new Array(n);
    for (let i = 0; i < n; i++) {
      let v = 0n;
      for (let k = w - 1; k >= 0; k--) v = (v << 32n) | BigInt(words[i * beatWords + at + k]!);
      col[i] = p.signed ? BigInt.asIntN(p.width, v) : v;
    }
    return col;
  });
}

let runCounter = 0;

/**
 * Runs a whole job inside the model's process: streams are read from and
 * written to files, so no traffic crosses between processes per cycle.
 */
export async function runBulk(model: VerilatedModel, job: BulkJob): Promise<BulkResult> {
  const t0 = performance.now();
  const dir = path.join(model.dir, 'runs', `${process.pid}-${runCounter++}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const byName = new Map(model.ports.map((p) => [p.name, p]));
  const port = (n: string): HarnessPort => {
    const p = byName.get(n);
    if (!p) throw new SimulationError(`${model.top} has no port '${n}'`);
    return p;
  };
  const lines = [`seed ${job.seed}`, `reset ${job.resetCycles ?? 1}`, `maxcycles ${job.maxCycles ?? 10_000_000}`];
  if (!Number.isInteger(job.seed) || job.seed < 0) throw new SimulationError(`the seed must be a non-negative integer, got ${job.seed}`);
  for (const [n, v] of Object.entries(job.config ?? {})) {
    const p = port(n);
    if (p.dir !== 'in') throw new SimulationError(`config port '${n}' is an output of ${model.top}`);
    lines.push(`poke ${p.index} ${hex(p, BigInt(v))}`);
  }
  if (job.donePort) lines.push(`done ${port(job.donePort).index}`);
  else lines.push(`drain ${job.drainCycles ?? 64}`);
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
    const packed = encodeStream(s.prefix, sp.data, columns!);
    fs.writeFileSync(file, new Uint8Array(packed.buffer, packed.byteOffset, packed.byteLength));
    lines.push(`instream ${s.prefix} ${sp.valid.index} ${sp.ready.index} ${sp.data.length} ${sp.data.map((p) => p.index).join(' ')} ${file} ${permille(s.stall, s.prefix)}`);
  }
  const outPorts = new Map<string, StreamPorts>();
  for (const s of job.outputs ?? []) {
    const sp = streamPorts(model, s.prefix, 'out');
    outPorts.set(s.prefix, sp);
    lines.push(`outstream ${s.prefix} ${sp.valid.index} ${sp.ready.index} ${sp.data.length} ${sp.data.map((p) => p.index).join(' ')} ${path.join(dir, `out-${s.prefix}.bin`)} ${permille(s.stall, s.prefix)}`);
  }
  for (const n of job.peek ?? []) lines.push(`peek ${port(n).index}`);
  if (job.waveform) {
    if (!model.traced) throw new SimulationError(`a waveform needs a model built with trace: true`);
    lines.push(`trace ${path.resolve(job.waveform)}`);
  }
  const jobFile = path.join(dir, 'job.txt');
  const resultFile = path.join(dir, 'result.txt');
  fs.writeFileSync(jobFile, lines.join('\n') + '\n');

  const r = await execa(model.binary, ['--bulk', jobFile, resultFile], { reject: false, all: true });
  if (r.exitCode === 3) {
    throw new SimulationError(`${model.top} did not finish within ${job.maxCycles ?? 10_000_000} cycles (seed ${job.seed}); job: ${jobFile}`);
  }
  if (r.exitCode !== 0) {
    throw new SimulationError(`the bulk simulation of ${model.top} failed (exit ${r.exitCode}):\n${tail(r.all ?? '', 20)}\nTo reproduce: ${model.binary} --bulk ${jobFile} ${resultFile}`);
  }
  const result = {
    status: 'idle' as 'done' | 'idle',
    cycles: 0,
    columns: {} as Record<string, OutputColumn[]>,
    lastBeatCycle: {} as Record<string, number>,
    consumed: {} as Record<string, number>,
    peeks: {} as Record<string, bigint>,
    wallMs: 0,
    seed: job.seed,
  };
  for (const line of fs.readFileSync(resultFile, 'utf8').split('\n')) {
    const f = line.split(' ');
    if (f[0] === 'status') result.status = f[1] as 'done' | 'idle';
    else if (f[0] === 'cycles') result.cycles = Number(f[1]);
    else if (f[0] === 'consumed') result.consumed[f[1]!] = Number(f[2]);
    else if (f[0] === 'produced') result.lastBeatCycle[f[1]!] = Number(f[3]);
    else if (f[0] === 'peek') {
      const p = model.ports[Number(f[1])]!;
      const v = BigInt(`0x${f[2]}`);
      result.peeks[p.name] = p.signed ? BigInt.asIntN(p.width, v) : v;
    }
  }
  for (const [prefix, sp] of outPorts) {
    result.columns[prefix] = decodeStream(sp.data, fs.readFileSync(path.join(dir, `out-${prefix}.bin`)));
  }
  fs.rmSync(dir, { recursive: true, force: true });
  result.wallMs = performance.now() - t0;
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
