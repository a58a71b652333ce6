// The language at accelerator scale: for each synthetic design of
// bench/scale-designs.ts, elaboration and emission time, peak memory, size,
// and a Verilator lint of the output. Each design runs in its own Node process
// so that peak memory is its own and a crash is reported, not fatal.
// Prints a table and writes build/reports/scale.json.
//
// With --cache-hit, the chosen designs are also built in Verilator (once; the
// model cache keeps them), then a fresh process elaborates the design again
// and calls buildModel, which hits the cache: what every testbench start pays.
// With --locate, for designs too large to build, a fresh process elaborates
// and calls locateModel: all a cache hit computes (tool versions, harness,
// key) except checking the cached binary.
//
// With --full-lint, the flat designs too large to lint in about a minute are
// linted themselves, not through their stand-ins, with `-fno-gate` added
// (Verilator's gate optimisation makes their scheduling quadratic: see
// LintOptions in toolchain/verilator-files.ts; minutes each and about 8 GB).
//
//   npm run bench:scale [-- --only name1,name2] [--no-lint] [--full-lint] [--cache-hit name1,name2] [--locate name1,name2]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { execa } from 'execa';
import { requireTool } from '../toolchain/tools.ts';
import { lintVerilog, type LintOptions } from '../toolchain/verilator-files.ts';
import { scaleDesigns } from './scale-designs.ts';

const self = fileURLToPath(import.meta.url);
const OUT_ROOT = path.resolve('build/scale');
/**
 * The largest design whose Verilator build is practical on the 2-core machine
 * (about 2 minutes, once: the model cache keeps it); the distinct-PE arrays
 * are one module per PE, hundreds of times more C++ to compile.
 */
const CACHE_HIT_DEFAULT = 'pe8x8_identical';
/** The largest design: too large to build (its C++ takes hours), so only its model's cache lookup is timed. */
const LOCATE_DEFAULT = 'pe64x84_distinct';

interface CaseResult {
  name: string;
  description: string;
  ok: boolean;
  top?: string;
  error?: string;
  modules?: number;
  nodes?: number;
  declarations?: number;
  verilogLines?: number;
  elaborateS?: number;
  emitS?: number;
  /** CPU seconds (user + system) of elaboration and emission: less disturbed by a shared machine than wall time. */
  elaborateCpuS?: number;
  emitCpuS?: number;
  cacheKeyS?: number;
  cacheKeyCpuS?: number;
  heapMiB?: number;
  maxRssMiB?: number;
  /** `design`: the smaller design of the same generator linted in this one's place (see ScaleDesign.lintedAs). */
  /** `flags`: what the lint added to `--lint-only -Wall` (`-fno-gate` for a flat giant under --full-lint). */
  lint?: { ok: boolean; seconds: number; warnings?: string; design?: string; flags?: string };
  /** The first buildModel, in the case's process: a Verilator build unless the model cache already held it. */
  modelBuild?: { built: boolean; seconds: number; binaryBytes: number };
  cacheHit?: CacheHitResult;
}

/** A testbench's start on a cached model, measured in a process of its own (nothing memoised). */
interface CacheHitResult {
  /** `buildModel`: the whole call; `locateModel`: the same without the check of the cached binary (no model built). */
  call: 'buildModel' | 'locateModel';
  /** False would mean the key changed between two processes: the figure is then not a cache hit. */
  hit: boolean;
  elaborateS: number;
  elaborateCpuS: number;
  /** The call alone: tool versions, harness, key (and for buildModel the cache-folder check). CPU includes any tool it starts. */
  callS: number;
  callCpuS: number;
  /** Elaboration start to model ready. */
  totalS: number;
  totalCpuS: number;
  /** os.loadavg() just before and after. */
  loadBefore: number[];
  loadAfter: number[];
}

/** CPU seconds of this process and of the children it has waited for (a tool's `--version`, a build). */
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6 + childrenCpu();
};

/** Linux's cutime + cstime of this process (/proc/self/stat, in clock ticks of 1/100 s); 0 elsewhere. */
function childrenCpu(): number {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 16 and 17 of proc(5), counted from the state (field 3) at index 0.
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return 0;
  }
}

function findDesign(name: string): (typeof scaleDesigns)[number] {
  const entry = scaleDesigns.find((d) => d.name === name);
  if (!entry) throw new Error(`unknown scale design '${name}'; known: ${scaleDesigns.map((d) => d.name).join(', ')}`);
  return entry;
}

/** Runs in the child: elaborates, emits and writes one design, prints its figures as JSON. */
async function runCase(name: string, build: boolean): Promise<void> {
  const { emitDesign } = await import('../gen/verilog.ts');
  const { writeVerilog } = await import('../gen/write.ts');
  const entry = findDesign(name);
  const mib = (b: number): number => Math.round(b / 2 ** 20);
  let heap = 0;
  const sampleHeap = (): void => {
    heap = Math.max(heap, process.memoryUsage().heapUsed);
  };
  const c0 = cpu();
  const t0 = performance.now();
  const design = entry.elaborate();
  const t1 = performance.now();
  const c1 = cpu();
  sampleHeap();
  const files = emitDesign(design);
  const t2 = performance.now();
  const c2 = cpu();
  sampleHeap();
  const written = writeVerilog(design, path.join(OUT_ROOT, name), files);
  let nodes = 0;
  let declarations = 0;
  for (const m of design.modules) {
    for (const n of m.nodes) if (n.kind === 'op' || n.kind === 'case') nodes++;
    declarations += m.ports.length + m.wires.length + m.regs.length + m.memories.length + m.instances.length;
  }
  const result: CaseResult = {
    name,
    description: entry.description,
    ok: true,
    top: design.top.displayName,
    modules: design.modules.length,
    nodes,
    declarations,
    verilogLines: files.reduce((n, f) => n + countLines(f.text), 0),
    elaborateS: (t1 - t0) / 1000,
    emitS: (t2 - t1) / 1000,
    elaborateCpuS: c1 - c0,
    emitCpuS: c2 - c1,
  };
  // Most of what a cache-hit buildModel pays: the harness and the key (the tools' versions are kept on disk).
  const { modelCacheKey } = await import('../sim/verilator/model-key.ts');
  const { harnessSource } = await import('../sim/verilator/harness.ts');
  const k0 = performance.now();
  const kc = cpu();
  modelCacheKey(design, { verilator: 'bench', cxx: 'bench', flags: ['--cc'], harness: harnessSource(design.top, false) });
  result.cacheKeyS = (performance.now() - k0) / 1000;
  result.cacheKeyCpuS = cpu() - kc;
  if (build) {
    const { buildModel } = await import('../sim/verilator/build.ts');
    const b0 = performance.now();
    const model = await buildModel(design, {});
    result.modelBuild = { built: model.built, seconds: (performance.now() - b0) / 1000, binaryBytes: fs.statSync(model.binary).size };
  }
  sampleHeap();
  result.heapMiB = mib(heap);
  result.maxRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  fs.writeFileSync(path.join(written.dir, 'files.txt'), written.files.join('\n') + '\n');
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Runs in the child, after runCase built the model: a fresh start on the cached model, timed (or its lookup only). */
async function runCacheHit(name: string, call: CacheHitResult['call']): Promise<void> {
  const { buildModel, locateModel } = await import('../sim/verilator/build.ts');
  const entry = findDesign(name);
  const loadBefore = os.loadavg();
  const c0 = cpu();
  const t0 = performance.now();
  const design = entry.elaborate();
  const c1 = cpu();
  const t1 = performance.now();
  const hit = call === 'buildModel' ? !(await buildModel(design, {})).built : fs.existsSync((await locateModel(design, {})).model.dir);
  const c2 = cpu();
  const t2 = performance.now();
  const result: CacheHitResult = {
    call,
    hit,
    elaborateS: (t1 - t0) / 1000,
    elaborateCpuS: c1 - c0,
    callS: (t2 - t1) / 1000,
    callCpuS: c2 - c1,
    totalS: (t2 - t0) / 1000,
    totalCpuS: c2 - c0,
    loadBefore,
    loadAfter: os.loadavg(),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** The last line a child printed, parsed; or its first error line. */
async function runChild(args: string[]): Promise<{ ok: true; value: unknown } | { ok: false; error: string }> {
  const r = await execa(process.execPath, ['--max-old-space-size=8192', '--import', 'tsx', self, ...args], { reject: false, all: false });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.exitCode === 0 && line.startsWith('{')) return { ok: true, value: JSON.parse(line) };
  const err = (r.stderr || r.stdout).trim().split('\n');
  const first = err.find((l) => /Error|error:/.test(l)) ?? err[0] ?? `exit ${r.exitCode}`;
  return { ok: false, error: first.slice(0, 300) };
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

async function lint(name: string, top: string, opts: LintOptions): Promise<CaseResult['lint']> {
  const files = fs.readFileSync(path.join(OUT_ROOT, name, 'files.txt'), 'utf8').trim().split('\n');
  const r = await lintVerilog(top, files, opts);
  const flags = opts.withoutGateOptimisation ? { flags: '-fno-gate' } : {};
  if (r.clean) return { ok: true, seconds: r.seconds, ...flags };
  return { ok: false, seconds: r.seconds, ...flags, warnings: r.output.split('\n').slice(0, 12).join('\n') || (r.timedOut ? 'timed out' : `exit ${r.exitCode}`) };
}

/** A lint past this is reported as failed (timed out); --full-lint allows the flat giants two hours. */
const LINT_TIMEOUT_MS = 1_800_000;
const FULL_LINT_TIMEOUT_MS = 2 * 3_600_000;

async function main(opts: { only?: string; lint: boolean; fullLint?: boolean; cacheHit?: string; locate?: string }): Promise<void> {
  const standInFor = (name: string) => (opts.fullLint ? undefined : scaleDesigns.find((d) => d.name === name)?.lintedAs);
  const asked = opts.only ? opts.only.split(',').map((n) => n.trim()) : scaleDesigns.map((d) => d.name);
  // A design linted through a stand-in runs after it, and brings it along when linting.
  const chosen: string[] = [];
  for (const name of asked) {
    const standIn = standInFor(name);
    if (opts.lint && standIn && !chosen.includes(standIn)) chosen.push(standIn);
    if (!chosen.includes(name)) chosen.push(name);
  }
  const results: CaseResult[] = [];
  const toBuild = opts.cacheHit?.split(',').map((n) => n.trim()) ?? [];
  const toLocate = opts.locate?.split(',').map((n) => n.trim()) ?? [];
  for (const name of chosen) {
    const entry = findDesign(name);
    process.stderr.write(`${name} ...\n`);
    const build = toBuild.includes(name);
    const r = await runChild(['--case', name, ...(build ? ['--build'] : [])]);
    let res: CaseResult;
    if (r.ok) {
      res = r.value as CaseResult;
      const standIn = standInFor(name);
      if (opts.lint && standIn) {
        const stand = results.find((x) => x.name === standIn);
        if (stand?.lint) res.lint = { ...stand.lint, design: stand.name };
      } else if (opts.lint) {
        // A flat giant is linted without Verilator's gate optimisation, which makes its scheduling quadratic (LintOptions).
        const giant = opts.fullLint && entry.lintedAs !== undefined;
        res.lint = await lint(name, res.top!, { timeoutMs: opts.fullLint ? FULL_LINT_TIMEOUT_MS : LINT_TIMEOUT_MS, withoutGateOptimisation: giant });
      }
      const probe = build ? '--cache-hit-probe' : toLocate.includes(name) ? '--locate-probe' : undefined;
      if (probe) {
        const hit = await runChild([probe, name]);
        if (hit.ok) res.cacheHit = hit.value as CacheHitResult;
        else res = { ...res, ok: false, error: `${probe}: ${hit.error}` };
      }
    } else {
      res = { name, description: entry.description, ok: false, error: r.error };
    }
    results.push(res);
    printRow(res);
  }
  const verilator = await requireTool('verilator');
  const version = (await execa(verilator, ['--version'])).stdout.trim();
  const report = {
    machine: `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    node: process.version,
    verilator: version,
    date: new Date().toISOString(),
    note: 'the machine is shared: timings are noisy',
    loadAverage: os.loadavg(),
    targets: { millionNodesElaborateAndEmitS: 10, millionNodesHeapMiB: 1536, cacheHitBuildModelS: 1 },
    results,
  };
  fs.mkdirSync('build/reports', { recursive: true });
  const out = 'build/reports/scale.json';
  fs.writeFileSync(`${out}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
  fs.renameSync(`${out}.tmp`, out);
  console.log(`wrote ${out}`);
}

function printRow(r: CaseResult): void {
  const f = (x: number | undefined, d = 2): string => (x === undefined ? '-' : x.toFixed(d));
  if (!r.ok) {
    console.log(`${r.name.padEnd(18)} FAILED: ${r.error}`);
    return;
  }
  console.log(
    `${r.name.padEnd(18)} modules ${String(r.modules).padStart(5)}  nodes ${String(r.nodes).padStart(8)}  decls ${String(r.declarations).padStart(8)}  ` +
      `elaborate ${f(r.elaborateS)} s (cpu ${f(r.elaborateCpuS)})  emit ${f(r.emitS)} s (cpu ${f(r.emitCpuS)})  key ${f(r.cacheKeyS)} s (cpu ${f(r.cacheKeyCpuS)})  heap ${r.heapMiB} MiB  rss ${r.maxRssMiB} MiB  ` +
      `lint ${r.lint ? (r.lint.ok ? `clean (${f(r.lint.seconds, 1)} s)` : `WARNINGS:\n${r.lint.warnings}`) : '-'}${r.lint?.design ? ` (linted as ${r.lint.design})` : ''}` +
      (r.modelBuild ? `  model ${r.modelBuild.built ? `built in ${f(r.modelBuild.seconds, 0)} s` : 'cached'}` : '') +
      (r.cacheHit
        ? `  cache-hit ${r.cacheHit.call} ${f(r.cacheHit.callS)} s (cpu ${f(r.cacheHit.callCpuS)})${r.cacheHit.hit || r.cacheHit.call === 'locateModel' ? '' : ' NOT A HIT'}, ` +
          `elaborate to model ready ${f(r.cacheHit.totalS)} s (cpu ${f(r.cacheHit.totalCpuS)}), load ${r.cacheHit.loadBefore[0]!.toFixed(1)}`
        : ''),
  );
}

new Command()
  .name('npm run bench:scale --')
  .option('--case <name>', 'internal: run one design in this process')
  .option('--build', 'internal: with --case, also build the Verilator model')
  .option('--cache-hit-probe <name>', 'internal: elaborate one design and take its model from the cache, timed')
  .option('--locate-probe <name>', 'internal: elaborate one design and locate its model in the cache, timed')
  .option('--only <names>', 'comma-separated design names')
  .option('--no-lint', 'skip the Verilator lint')
  .option('--full-lint', 'lint the flat designs themselves (with -fno-gate), not their 20 k stand-ins (minutes each, about 8 GB)')
  .option('--cache-hit <names>', 'for these designs (comma-separated), also build the Verilator model once and time a cache-hit buildModel in a fresh process ("none": no build)', CACHE_HIT_DEFAULT)
  .option('--locate <names>', 'for these designs (comma-separated; too large to build), time the cache lookup of buildModel (locateModel) in a fresh process ("none": none)', LOCATE_DEFAULT)
  .action(async (opts: { case?: string; build?: boolean; cacheHitProbe?: string; locateProbe?: string; only?: string; lint: boolean; fullLint?: boolean; cacheHit?: string; locate?: string }) => {
    if (opts.case) await runCase(opts.case, opts.build === true);
    else if (opts.cacheHitProbe) await runCacheHit(opts.cacheHitProbe, 'buildModel');
    else if (opts.locateProbe) await runCacheHit(opts.locateProbe, 'locateModel');
    else await main(opts);
  })
  .parseAsync();
