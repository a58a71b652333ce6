import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import type { Design } from '../../hw/index.ts';
import { discardFolder, placeFolderUnlessGood, privateFolder, sweepAbandoned } from '../../gen/folders.ts';
import { emitDesign } from '../../gen/verilog.ts';
import { findOnPath, requireTool } from '../../toolchain/tools.ts';
import { writeVerilatorFileList } from '../../toolchain/verilator-files.ts';
import { modelCacheKey } from './model-key.ts';
import { harnessMemories, harnessPorts, harnessSource, type HarnessMemory, type HarnessPort } from './harness.ts';

export interface BuildOptions {
  /** Compile in FST waveform support (slower to build and to run). */
  trace?: boolean;
  /** C++ optimisation level of the model. */
  optimize?: 0 | 1 | 2 | 3;
  /** Cache folder; default build/verilator. */
  cacheDir?: string;
  /** Threads the model evaluates on (Verilator --threads); default 1. */
  threads?: number;
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
  /** Verilator's flags the model was built with (part of its cache key). */
  readonly flags: readonly string[];
  /** Whether this call compiled the model (false: taken from the cache). */
  readonly built: boolean;
  readonly buildMs: number;
  /** A broken cache folder this call removed before rebuilding, if any. */
  readonly repaired?: string;
}

export class SimulationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimulationError';
  }
}

/** The compilers a model is built with; part of the cache key, since another version gives another binary. */
export interface Toolchain {
  readonly verilator: string;
  readonly cxx: string;
}

let toolchain: Promise<Toolchain> | undefined;

/**
 * Where the tools' answers to `--version` are kept between processes:
 * `verilator --version` starts a Perl wrapper, about 0.3 s on every
 * testbench start, more than the rest of a cache hit.
 */
const VERSIONS_FILE = 'build/toolchain/versions.json';

interface KeptVersions {
  /** The files (and Verilator's environment) the versions were read from: see toolFilesIdentity. */
  readonly identity: string;
  readonly toolchain: Toolchain;
}

/**
 * What identifies the installed tools: the Verilator wrapper, the
 * verilator_bin it runs and the C++ compiler, each by path, inode, size,
 * modification and change time. Installing another version replaces these
 * files, which changes their inode and change time (which no installer can
 * set back), so a kept answer is never taken for another version.
 */
export function toolFilesIdentity(verilator: string, cxx: string | undefined): string {
  const root = process.env.VERILATOR_ROOT;
  const wrapper = fs.realpathSync(verilator);
  const bin = root ? path.join(root, 'bin', 'verilator_bin') : path.join(path.dirname(wrapper), 'verilator_bin');
  const files = [wrapper, bin, ...(cxx ? [fs.realpathSync(cxx)] : [])];
  const parts = files.map((f) => {
    try {
      const st = fs.statSync(f, { bigint: true });
      return `${f} ${st.dev} ${st.ino} ${st.size} ${st.mtimeNs} ${st.ctimeNs}`;
    } catch {
      return `${f} missing`;
    }
  });
  return [`VERILATOR_ROOT=${root ?? ''}`, ...parts].join('\n');
}

function findToolchain(verilator: string): Promise<Toolchain> {
  // Verilator's makefiles (verilated.mk) set CXX = g++, which the environment does not override.
  const cxx = 'g++';
  return (toolchain ??= (async () => {
    const file = path.resolve(VERSIONS_FILE);
    const cxxPath = findOnPath(cxx);
    const identity = toolFilesIdentity(verilator, cxxPath);
    try {
      const kept = JSON.parse(fs.readFileSync(file, 'utf8')) as KeptVersions;
      if (kept.identity === identity) return kept.toolchain;
    } catch {
      // none kept yet, or unreadable: ask the tools
    }
    const [v, c] = await Promise.all([
      execa(verilator, ['--version']).then((r) => r.stdout.trim()),
      cxxPath ? execa(cxxPath, ['--version'], { reject: false }).then((r) => (r.exitCode === 0 ? r.stdout.split('\n')[0]!.trim() : `${cxx}: not found`)) : `${cxx}: not found`,
    ]);
    const found: Toolchain = { verilator: v, cxx: c };
    const kept: KeptVersions = { identity, toolchain: found };
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, `${JSON.stringify(kept, null, 2)}\n`);
      fs.renameSync(tmp, file);
    } catch {
      // a read-only checkout: ask again next time
    }
    return found;
  })());
}

export function quote(args: readonly string[]): string {
  return args.map((a) => (/^[\w./=+-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(' ');
}

/** Verilator's flags for a model, apart from the source files. */
function verilatorFlags(top: string, trace: boolean, optimize: number, threads: number): string[] {
  return [
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
    ...(threads > 1 ? ['--threads', String(threads)] : []),
  ];
}

/** Written last into a finished build: the binary it vouches for. */
const COMPLETE = 'complete.json';

interface CompleteMark {
  readonly size: number;
  readonly sha256: string;
}

function fileDigest(file: string): CompleteMark {
  const data = fs.readFileSync(file);
  return { size: data.length, sha256: createHash('sha256').update(data).digest('hex') };
}

/** Why a cache folder cannot be reused, or undefined when it can. */
export function cacheFolderProblem(dir: string): string | undefined {
  let mark: CompleteMark;
  try {
    mark = JSON.parse(fs.readFileSync(path.join(dir, COMPLETE), 'utf8')) as CompleteMark;
  } catch {
    return `it has no valid ${COMPLETE} (the build never finished)`;
  }
  const binary = path.join(dir, 'obj', 'sim');
  let actual: CompleteMark;
  try {
    actual = fileDigest(binary);
  } catch {
    return 'its binary obj/sim is missing';
  }
  if (actual.size !== mark.size) return `its binary obj/sim is ${actual.size} bytes, ${mark.size} when built`;
  if (actual.sha256 !== mark.sha256) return 'its binary obj/sim changed since it was built';
  try {
    fs.accessSync(binary, fs.constants.X_OK);
  } catch {
    return 'its binary obj/sim is not executable';
  }
  return undefined;
}

/**
 * Builds of this process that are under way: their compiler process groups
 * and staging folders, ended and removed if the process is told to stop.
 */
interface ActiveBuild {
  readonly staging: string;
  proc?: ResultPromise;
}

const activeBuilds = new Set<ActiveBuild>();

function killCompilers(): void {
  const stagings = [...activeBuilds].map((b) => b.staging);
  for (const b of activeBuilds) {
    // The compiler runs in a process group of its own: make and every g++ it started.
    try {
      if (b.proc?.pid) process.kill(-b.proc.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  activeBuilds.clear();
  // A killed compiler may still create a file or two before it is gone: remove
  // the staging folders until they stay removed (this runs in a signal handler,
  // so it waits synchronously, at most about two seconds).
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let attempt = 0; attempt < 20; attempt++) {
    for (const dir of stagings) {
      try {
        fs.rmSync(dir, { recursive: true, force: true });
      } catch {
        // a file appeared while removing: the next round gets it
      }
    }
    Atomics.wait(pause, 0, 0, 100);
    if (!stagings.some((dir) => fs.existsSync(dir))) return;
  }
}

const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

function stopBuilds(signal: NodeJS.Signals): void {
  killCompilers();
  listen(false);
  // With no other handler left, end as the signal would have.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function listen(on: boolean): void {
  for (const s of STOP_SIGNALS) (on ? process.on : process.off).call(process, s, stopBuilds);
  (on ? process.on : process.off).call(process, 'exit', killCompilers);
}

function trackBuild(entry: ActiveBuild): () => void {
  if (activeBuilds.size === 0) listen(true);
  activeBuilds.add(entry);
  return () => {
    activeBuilds.delete(entry);
    if (activeBuilds.size === 0) listen(false);
  };
}

/** Where buildModel finds a design's model: everything a cache hit computes before it checks the folder. */
export interface ModelLocation {
  readonly verilator: string;
  readonly model: Omit<VerilatedModel, 'built' | 'buildMs' | 'repaired'>;
  readonly key: string;
  readonly harness: string;
  readonly cacheDir: string;
}

/**
 * The model's cache folder and description, without building or reading it:
 * the tools' versions, the harness, the flags and the key. What a cache hit
 * costs apart from checking the cached binary (bench:scale times it for
 * designs too large to build).
 */
export async function locateModel(design: Design, opts: BuildOptions = {}): Promise<ModelLocation> {
  const verilator = await requireTool('verilator');
  const tools = await findToolchain(verilator);
  const trace = opts.trace ?? false;
  const optimize = opts.optimize ?? 2;
  const top = design.top.displayName;
  const harness = harnessSource(design.top, trace);
  const threads = opts.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) throw new SimulationError(`threads must be an integer of at least 1, got ${threads}`);
  const flags = verilatorFlags(top, trace, optimize, threads);
  const key = modelCacheKey(design, { ...tools, flags, harness });
  const cacheDir = path.resolve(opts.cacheDir ?? 'build/verilator');
  const dir = path.join(cacheDir, `${top}-${key}`);
  const model = {
    top,
    binary: path.join(dir, 'obj', 'sim'),
    dir,
    ports: harnessPorts(design.top),
    memories: harnessMemories(design.top),
    hasClock: design.top.usesClock,
    hasReset: design.top.usesReset,
    traced: trace,
    flags,
  };
  return { verilator, model, key, harness, cacheDir };
}

/**
 * Builds (or takes from the cache) a Verilator model of the design with the
 * generated harness. The cache key (model-key.ts) hashes the design's
 * fingerprint, the harness, the tool versions and the flags, so an unchanged
 * design is never rebuilt and a cache hit writes no Verilog.
 *
 * A cache folder appears only complete: the model is compiled in a private
 * staging folder, marked complete last, then renamed into place. A folder
 * taken from the cache is checked against its mark; a broken one is removed
 * (and named on stderr) and rebuilt.
 */
export async function buildModel(design: Design, opts: BuildOptions = {}): Promise<VerilatedModel> {
  const { verilator, model, key, harness, cacheDir } = await locateModel(design, opts);
  const { top, dir, flags } = model;
  let repaired: string | undefined;
  if (fs.existsSync(dir)) {
    const problem = cacheFolderProblem(dir);
    if (problem === undefined) return { ...model, built: false, buildMs: 0 };
    discardFolder(dir);
    repaired = dir;
    process.stderr.write(`warning: removed the broken model cache folder ${dir}: ${problem}; rebuilding it\n`);
  }
  const files = emitDesign(design);

  const t0 = performance.now();
  fs.mkdirSync(cacheDir, { recursive: true });
  sweepAbandoned(cacheDir);
  const staging = privateFolder(cacheDir, `.build-${top}-${key}`);
  // Tracked from its creation: a signal arriving while the compiler starts must find it.
  const build: ActiveBuild = { staging };
  const untrack = trackBuild(build);
  // The sources go in a command file: a design of thousands of modules would overflow one command-line argument of Verilator's wrapper.
  const args = [...flags, '-f', 'src/files.f'];
  try {
    const src = path.join(staging, 'src');
    fs.mkdirSync(src);
    for (const f of files) fs.writeFileSync(path.join(src, f.fileName), f.text);
    fs.writeFileSync(path.join(src, 'harness.cpp'), harness);
    writeVerilatorFileList(path.join(src, 'files.f'), [...files.map((f) => `src/${f.fileName}`), 'src/harness.cpp']);
    const proc = execa(verilator, args, { cwd: staging, reject: false, all: true, detached: true, cleanup: false });
    build.proc = proc;
    const r = await proc;
    if (r.exitCode !== 0) {
      // Keep the failed build to reproduce it, under one name per model so failures do not pile up.
      const failed = `${dir}.failed`;
      fs.rmSync(failed, { recursive: true, force: true });
      fs.renameSync(staging, failed);
      const how = r.signal ? `killed by ${r.signal}` : `exit ${r.exitCode}`;
      throw new SimulationError(
        `Verilator failed to build ${top} (${how}):\n${firstErrors(r.all ?? '')}\nTo reproduce: cd ${failed} && verilator ${quote(args)}`,
      );
    }
    fs.writeFileSync(path.join(staging, COMPLETE), JSON.stringify(fileDigest(path.join(staging, 'obj', 'sim'))));
    placeFolderUnlessGood(staging, dir, (d) => cacheFolderProblem(d) === undefined);
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  } finally {
    untrack();
  }
  return { ...model, built: true, buildMs: performance.now() - t0, ...(repaired ? { repaired } : {}) };
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
