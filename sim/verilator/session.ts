import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { execa, type ResultPromise } from 'execa';
import type { IOOf, IOSpec, ModuleDefinition } from '../../hw/index.ts';
import { elaborate } from '../../hw/index.ts';
import { buildModel, SimulationError, tail, type BuildOptions, type VerilatedModel } from './build.ts';
import { findMemory, memoryLayout, writeMemoryImage } from './bulk.ts';
import type { HarnessPort } from './harness.ts';
import { unpackColumns, type Column, type OutputColumn } from './words.ts';

export type PortValue = number | bigint | boolean;

/** What a test did to the model, replayable on another simulator. */
export type TranscriptEntry =
  | { readonly op: 'poke'; readonly port: string; readonly value: bigint }
  | { readonly op: 'step'; readonly cycles: number }
  | { readonly op: 'reset'; readonly cycles: number }
  | { readonly op: 'peek'; readonly port: string; readonly value: bigint };

/** Typed access to one top-level port of a running simulation. */
export interface PortHandle {
  readonly name: string;
  readonly width: number;
  poke(value: PortValue): void;
  /** The value, negative for SInt ports. */
  peek(): Promise<bigint>;
  expect(value: PortValue, message?: string): Promise<void>;
}

export interface OpenOptions {
  /** FST waveform file; needs a model built with trace. */
  waveform?: string;
  /** Cycles of reset applied at the start (default 1; 0: none). */
  resetCycles?: number;
  /** Keep a transcript of the session (see `transcript`). */
  record?: boolean;
  /** Ends the model when aborted; pending and later requests fail with the reason. */
  signal?: AbortSignal;
}

export type SimIO<S> = { [K in keyof S]: S[K] extends { kind: 'port' } ? HandleOf<IOOf<S[K]>> : SimIO<S[K]> };
type HandleOf<T> = T extends readonly (infer E)[] ? HandleOf<E>[] : T extends { kind: string; width: number } ? PortHandle : { [K in keyof T]: HandleOf<T[K]> };

function encode(port: HarnessPort, value: PortValue): string {
  const v = typeof value === 'boolean' ? (value ? 1n : 0n) : BigInt(value);
  const min = port.signed ? -(1n << BigInt(port.width - 1)) : 0n;
  const max = port.signed ? (1n << BigInt(port.width - 1)) - 1n : (1n << BigInt(port.width)) - 1n;
  if (v < min || v > max) throw new SimulationError(`value ${v} does not fit port '${port.name}' (${port.signed ? 'SInt' : 'UInt'}(${port.width}))`);
  return BigInt.asUintN(port.width, v).toString(16);
}

function decode(port: HarnessPort, hex: string): bigint {
  const v = BigInt(`0x${hex}`);
  return port.signed ? BigInt.asIntN(port.width, v) : v;
}

/**
 * A running Verilator model driven cycle by cycle. Commands are pipelined:
 * pokes and steps are queued, and a peek costs one round trip at most.
 */
export class Simulation<S extends IOSpec = IOSpec> {
  readonly io: SimIO<S>;
  private readonly byName = new Map<string, HarnessPort>();
  private readonly pending: { resolve: (line: string) => void; reject: (e: Error) => void }[] = [];
  private queued: string[] = [];
  private cycleCount = 0;
  private failure: Error | undefined;
  private closing = false;
  private stderr = '';
  /** This session's own folder for memory images, made on first use. */
  private scratch: string | undefined;
  private scratchCount = 0;
  /** Every poke, step, reset and peek, in order, when recording was asked for. */
  readonly transcript: TranscriptEntry[] | undefined;

  private constructor(
    readonly model: VerilatedModel,
    private readonly proc: ResultPromise,
    spec: IOSpec,
    record: boolean,
  ) {
    this.transcript = record ? [] : undefined;
    for (const p of model.ports) this.byName.set(p.name, p);
    const lines = readline.createInterface({ input: proc.stdout! });
    lines.on('line', (line) => this.pending.shift()?.resolve(line));
    proc.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    proc.then(
      (r) => {
        const output = tail(this.stderr, 10);
        this.fail(this.closing ? this.closedError() : new SimulationError(`the simulation of ${model.top} exited (code ${r.exitCode}) while in use${output ? `: ${output}` : ''}\nTo reproduce: ${model.binary}`));
      },
      (e: Error & { stderr?: string; signal?: string; isCanceled?: boolean }) => {
        const why = e.isCanceled ? 'was cancelled' : e.signal ? `was killed by ${e.signal}` : 'failed';
        const output = tail(String(e.stderr || this.stderr || (e.signal ? '' : e.message)), 20);
        this.fail(new SimulationError(`the simulation of ${model.top} ${why}${output ? `: ${output}` : ''}\nTo reproduce: ${model.binary}`));
      },
    );
    this.io = this.buildHandles(spec, '') as SimIO<S>;
  }

  /** Elaborates, builds (cached) and starts a model, then applies reset. */
  static async start<P, S extends IOSpec>(
    def: ModuleDefinition<P, S>,
    params: P,
    opts: BuildOptions & OpenOptions = {},
  ): Promise<Simulation<S>> {
    const design = elaborate(def, params);
    const model = await buildModel(design, { ...opts, trace: opts.trace ?? opts.waveform !== undefined });
    return Simulation.open<S>(model, design.top.spec, opts);
  }

  static open<S extends IOSpec>(model: VerilatedModel, spec: IOSpec, opts: OpenOptions = {}): Simulation<S> {
    const resetCycles = opts.resetCycles ?? 1;
    checkCount('resetCycles', resetCycles, 0);
    const args = opts.waveform ? ['--trace', opts.waveform] : [];
    const proc = execa(model.binary, args, {
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'pipe',
      buffer: false,
      ...(opts.signal ? { cancelSignal: opts.signal, killSignal: 'SIGKILL' as const } : {}),
    });
    const sim = new Simulation<S>(model, proc, spec, opts.record ?? false);
    // Fail at once, not when the process is gone: a peek sent meanwhile must not be answered.
    opts.signal?.addEventListener('abort', () => sim.fail(new SimulationError(`the simulation of ${model.top} was cancelled\nTo reproduce: ${model.binary}`)), { once: true });
    if (model.hasReset && resetCycles > 0) sim.reset(resetCycles);
    return sim;
  }

  private buildHandles(spec: unknown, prefix: string): unknown {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(spec as Record<string, unknown>)) {
      const name = prefix ? `${prefix}_${k}` : k;
      const isPort = (v as { kind?: string }).kind === 'port';
      out[k] = isPort ? this.typedHandles((v as { type: unknown }).type, name) : this.buildHandles(v, name);
    }
    return out;
  }

  private typedHandles(type: unknown, name: string): unknown {
    const t = type as { kind: string; length?: number; element?: unknown; fields?: Record<string, unknown> };
    if (t.kind === 'vec') return Array.from({ length: t.length! }, (_, i) => this.typedHandles(t.element, `${name}_${i}`));
    if (t.kind === 'bundle') {
      return Object.fromEntries(Object.entries(t.fields!).map(([k, ft]) => [k, this.typedHandles(ft, `${name}_${k}`)]));
    }
    return this.port(name);
  }

  /** A handle on a port by its flattened Verilog name. */
  port(name: string): PortHandle {
    const p = this.byName.get(name);
    if (!p) throw new SimulationError(`${this.model.top} has no port '${name}'; ports: ${[...this.byName.keys()].join(', ')}`);
    return {
      name,
      width: p.width,
      poke: (v) => this.poke(name, v),
      peek: () => this.peek(name),
      expect: (v, msg) => this.expect(name, v, msg),
    };
  }

  private info(name: string): HarnessPort {
    const p = this.byName.get(name);
    if (!p) throw new SimulationError(`${this.model.top} has no port '${name}'`);
    return p;
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const p of this.pending.splice(0)) p.reject(this.failure);
  }

  private send(cmd: string): void {
    if (this.failure) throw this.failure;
    this.queued.push(cmd);
    if (this.queued.length >= 4096) this.flush();
  }

  private flush(): void {
    if (this.queued.length === 0) return;
    this.proc.stdin!.write(`${this.queued.join('\n')}\n`);
    this.queued = [];
  }

  private request(cmd: string): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.pending.push({ resolve, reject });
      this.send(cmd);
      this.flush();
    });
  }

  poke(name: string, value: PortValue): void {
    const p = this.info(name);
    if (p.dir !== 'in') throw new SimulationError(`'${name}' is an output of ${this.model.top}; only inputs can be poked`);
    const hex = encode(p, value);
    this.send(`p ${p.index} ${hex}`);
    this.transcript?.push({ op: 'poke', port: name, value: BigInt(`0x${hex}`) });
  }

  async peek(name: string): Promise<bigint> {
    const p = this.info(name);
    const entry = this.transcript ? { op: 'peek' as const, port: name, value: 0n } : undefined;
    if (entry) this.transcript!.push(entry);
    const hex = await this.request(`g ${p.index}`);
    if (entry) entry.value = BigInt(`0x${hex}`);
    return decode(p, hex);
  }

  async expect(name: string, value: PortValue, message?: string): Promise<void> {
    const want = typeof value === 'boolean' ? (value ? 1n : 0n) : BigInt(value);
    const got = await this.peek(name);
    if (got !== want) {
      throw new SimulationError(`${message ? `${message}: ` : ''}port '${name}' of ${this.model.top} is ${got}, expected ${want} (cycle ${this.cycleCount})`);
    }
  }

  /** Advances n clock cycles. */
  step(n = 1): void {
    checkCount('step', n, 0);
    if (n > 0) this.send(`s ${n}`);
    this.cycleCount += n;
    if (n > 0) this.transcript?.push({ op: 'step', cycles: n });
  }

  /** Holds reset for n cycles; cycles are counted from zero again afterwards. */
  reset(n = 1): void {
    checkCount('reset', n, 1);
    this.send(`r ${n}`);
    this.cycleCount = 0;
    this.transcript?.push({ op: 'reset', cycles: n });
  }

  /** A file name no other session or call uses: concurrent loads and dumps never share one. */
  private imageFile(index: number): string {
    if (this.scratch === undefined) {
      const runs = path.join(this.model.dir, 'runs');
      fs.mkdirSync(runs, { recursive: true });
      this.scratch = fs.mkdtempSync(path.join(runs, `session-${process.pid}-`));
    }
    return path.join(this.scratch, `mem${index}-${this.scratchCount++}.bin`);
  }

  /** Loads a memory (opened with testbenchAccess) by its hierarchical path; a short image leaves the rest zero. */
  async loadMemory(memPath: string, values: Column): Promise<void> {
    const m = findMemory(this.model, memPath);
    const file = this.imageFile(m.index);
    try {
      writeMemoryImage(m, values, file);
      await this.request(`l ${m.index} ${file}`);
    } finally {
      fs.rmSync(file, { force: true });
    }
  }

  /** Reads a memory's whole contents. */
  async dumpMemory(memPath: string): Promise<OutputColumn> {
    const m = findMemory(this.model, memPath);
    const file = this.imageFile(m.index);
    try {
      await this.request(`d ${m.index} ${file}`);
      return unpackColumns([memoryLayout(m)], fs.readFileSync(file))[0]!;
    } finally {
      fs.rmSync(file, { force: true });
    }
  }

  get cycles(): number {
    return this.cycleCount;
  }

  private closedError(): SimulationError {
    return new SimulationError(`the simulation of ${this.model.top} is closed; start a new one to go on`);
  }

  async close(): Promise<void> {
    if (!this.failure && !this.closing) {
      this.closing = true;
      this.send('q');
      this.flush();
      this.proc.stdin!.end();
    }
    this.closing = true;
    await this.proc.catch(() => undefined);
    this.failure ??= this.closedError();
    if (this.scratch) fs.rmSync(this.scratch, { recursive: true, force: true });
  }
}

/** Cycle counts cross to the model as decimal integers: anything else would be misread there. */
export function checkCount(what: string, n: number, min: number): void {
  if (!Number.isSafeInteger(n) || n < min) {
    throw new SimulationError(`${what} ${n}: the cycle count must be an integer ${min === 0 ? '>= 0' : `>= ${min}`}`);
  }
}
