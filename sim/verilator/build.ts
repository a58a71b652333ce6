import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import type { Design, ModuleBuilder } from '../../hw/index.ts';
import { emitDesign } from '../../gen/verilog.ts';
import { requireTool } from '../tools.ts';
import { harnessMemories, harnessPorts, harnessSource, type HarnessMemory, type HarnessPort } from './harness.ts';

export interface BuildOptions {
  /** Compile in FST waveform support (slower to build and to run). */
  trace?: boolean;
  /** C++ optimisation level of the model. */
  optimize?: 0 | 1 | 2 | 3;
  /** Cache folder; default build/verilator. */
  cacheDir?: string;
}

export interface VerilatedModel {
  readonly top: string;
  readonly binary: string;
  readonly dir: string;
  readonly ports: readonly HarnessPort[];
  /** Memories testbenches can load and dump. */
  readonly memories: readonly HarnessMemory[];
  readonly hasClock: boolean;
  readonly hasReset: boolean;
  readonly traced: boolean;
  /** Whether this call compiled the model (false: taken from the cache). */
  readonly built: boolean;
  readonly buildMs: number;
}

export class SimulationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimulationError';
  }
}

let verilatorVersion: Promise<string> | undefined;

function quote(args: readonly string[]): string {
  return args.map((a) => (/^[\w./=+-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(' ');
}

/**
 * Builds (or takes from the cache) a Verilator model of the design with the
 * generated harness. The cache key hashes the Verilog, the harness, the
 * Verilator version and the options, so an unchanged design is never rebuilt.
 */
export async function buildModel(design: Design, opts: BuildOptions = {}): Promise<VerilatedModel> {
  const verilator = await requireTool('verilator');
  verilatorVersion ??= execa(verilator, ['--version']).then((r) => r.stdout.trim());
  const version = await verilatorVersion;
  const trace = opts.trace ?? false;
  const optimize = opts.optimize ?? 2;
  const files = emitDesign(design);
  const harness = harnessSource(design.top, trace);
  const top = design.top.displayName;
  // The harness reaches memories through the flattened root; Verilator keeps a
  // module instantiated more than once as a class of its own unless told to
  // inline everything, and its memories would be out of the harness's reach.
  const inlineAll = sharesTestbenchMemories(design.top);
  const hash = createHash('sha256');
  hash.update(`${version}\0${trace}\0${optimize}\0${top}\0${harness}`);
  if (inlineAll) hash.update('\0inline-all');
  for (const f of files) hash.update(`\0${f.fileName}\0${f.text}`);
  const key = hash.digest('hex').slice(0, 16);
  const cacheDir = path.resolve(opts.cacheDir ?? 'build/verilator');
  const dir = path.join(cacheDir, `${top}-${key}`);
  const binary = path.join(dir, 'obj', 'sim');
  const model = {
    top,
    binary,
    dir,
    ports: harnessPorts(design.top),
    memories: harnessMemories(design.top),
    hasClock: design.top.usesClock,
    hasReset: design.top.usesReset,
    traced: trace,
  };
  if (fs.existsSync(binary)) return { ...model, built: false, buildMs: 0 };

  const t0 = performance.now();
  fs.mkdirSync(cacheDir, { recursive: true });
  const staging = fs.mkdtempSync(path.join(cacheDir, `.${top}-${key}-`));
  try {
    const src = path.join(staging, 'src');
    fs.mkdirSync(src);
    for (const f of files) fs.writeFileSync(path.join(src, f.fileName), f.text);
    fs.writeFileSync(path.join(src, 'harness.cpp'), harness);
    const args = [
      '--cc', '--exe', '--build', '-j', '2',
      '--top-module', top,
      '-Mdir', 'obj',
      '-o', 'sim',
      '--x-assign', 'fast', '--x-initial', 'fast',
      // A comparison that is always true or false (unsigned x >= 0) is a
      // remark on the design's logic, not on the Verilog's meaning; the lint
      // flow still reports it with -Wall.
      '-Wno-UNSIGNED', '-Wno-CMPCONST',
      // The model's hot code at the chosen level; run-once code (constructors,
      // the harness, Verilator's runtime) at -O1 to keep builds quick.
      '-MAKEFLAGS', `OPT_FAST=-O${optimize} OPT_SLOW=-O1 OPT_GLOBAL=-O1`,
      ...(trace ? ['--trace-fst'] : []),
      ...(inlineAll ? ['--inline-mult', '0'] : []),
      ...files.map((f) => `src/${f.fileName}`),
      'src/harness.cpp',
    ];
    const r = await execa(verilator, args, { cwd: staging, reject: false, all: true });
    if (r.exitCode !== 0) {
      throw new SimulationError(
        `Verilator failed to build ${top} (exit ${r.exitCode}):\n${firstErrors(r.all ?? '')}\nTo reproduce: cd ${staging} && verilator ${quote(args)}`,
      );
    }
    try {
      fs.renameSync(staging, dir);
    } catch (e) {
      // Another process built the same model at the same time: keep theirs.
      if (!fs.existsSync(binary)) throw e;
      fs.rmSync(staging, { recursive: true, force: true });
    }
  } catch (e) {
    if (!(e instanceof SimulationError)) fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  return { ...model, built: true, buildMs: performance.now() - t0 };
}

/** The tool's first error lines with a little context: compilers report the cause first. */
function firstErrors(output: string): string {
  const lines = output.trimEnd().split('\n');
  const first = lines.findIndex((l) => /error/i.test(l));
  if (first < 0) return tail(output, 40);
  return lines.slice(Math.max(0, first - 2), first + 12).join('\n');
}

export function tail(text: string, lines: number): string {
  const all = text.trimEnd().split('\n');
  return all.slice(-lines).join('\n');
}

/** Whether a module holding testbench-accessible memories (itself or below) is instantiated more than once. */
export function sharesTestbenchMemories(top: ModuleBuilder): boolean {
  const uses = new Map<ModuleBuilder, number>();
  const holds = new Map<ModuleBuilder, boolean>();
  const hasMemories = (m: ModuleBuilder): boolean => {
    let h = holds.get(m);
    if (h === undefined) {
      h = m.memories.some((x) => x.testbenchAccess) || m.instances.some((i) => hasMemories(i.module));
      holds.set(m, h);
    }
    return h;
  };
  const walk = (m: ModuleBuilder): void => {
    for (const inst of m.instances) {
      uses.set(inst.module, (uses.get(inst.module) ?? 0) + 1);
      walk(inst.module);
    }
  };
  walk(top);
  return [...uses].some(([m, n]) => n > 1 && hasMemories(m));
}
