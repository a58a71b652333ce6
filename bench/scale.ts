// The language at accelerator scale: for each synthetic design of
// bench/scale-designs.ts, elaboration and emission time, peak memory, size,
// and a Verilator lint of the output. Each design runs in its own Node process
// so that peak memory is its own and a crash is reported, not fatal.
// Prints a table and writes build/reports/scale.json.
//
//   npm run bench:scale [-- --only name1,name2] [--no-lint] [--cache-hit name1,name2]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { execa } from 'execa';
import { requireTool } from '../toolchain/tools.ts';
import { scaleDesigns } from './scale-designs.ts';

const self = fileURLToPath(import.meta.url);
const OUT_ROOT = path.resolve('build/scale');

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
  lint?: { ok: boolean; seconds: number; warnings?: string; design?: string };
  cacheHitBuildModelS?: number;
}

/** Runs in the child: elaborates, emits and writes one design, prints its figures as JSON. */
async function runCase(name: string, cacheHit: boolean): Promise<void> {
  const { emitDesign } = await import('../gen/verilog.ts');
  const { writeVerilog } = await import('../gen/write.ts');
  const entry = scaleDesigns.find((d) => d.name === name);
  if (!entry) throw new Error(`unknown scale design '${name}'`);
  const mib = (b: number): number => Math.round(b / 2 ** 20);
  let heap = 0;
  const sampleHeap = (): void => {
    heap = Math.max(heap, process.memoryUsage().heapUsed);
  };
  const cpu = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
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
  const build = await import('../sim/verilator/build.ts');
  // What a cache-hit buildModel pays besides one `verilator --version` per process: the harness and the key.
  const { modelCacheKey } = await import('../sim/verilator/model-key.ts');
  const { harnessSource } = await import('../sim/verilator/harness.ts');
  const k0 = performance.now();
  const kc = cpu();
  modelCacheKey(design, { verilator: 'bench', cxx: 'bench', flags: ['--cc'], harness: harnessSource(design.top, false) });
  result.cacheKeyS = (performance.now() - k0) / 1000;
  result.cacheKeyCpuS = cpu() - kc;
  if (cacheHit) {
    // The first call may build; the second is a cache hit, which is what a testbench pays on every run.
    await build.buildModel(design, {});
    const c0 = performance.now();
    await build.buildModel(design, {});
    result.cacheHitBuildModelS = (performance.now() - c0) / 1000;
  }
  sampleHeap();
  result.heapMiB = mib(heap);
  result.maxRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  fs.writeFileSync(path.join(written.dir, 'files.txt'), written.files.join('\n') + '\n');
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

async function lint(name: string, top: string): Promise<CaseResult['lint']> {
  const verilator = await requireTool('verilator');
  const files = fs.readFileSync(path.join(OUT_ROOT, name, 'files.txt'), 'utf8').trim().split('\n');
  const t0 = performance.now();
  const r = await execa(verilator, ['--lint-only', '-Wall', '--top-module', top, ...files], { reject: false, all: true, timeout: 1_800_000 });
  const seconds = (performance.now() - t0) / 1000;
  const text = (r.all ?? '').trim();
  return r.exitCode === 0 && text === '' ? { ok: true, seconds } : { ok: false, seconds, warnings: text.split('\n').slice(0, 12).join('\n') || `exit ${r.exitCode}` };
}

async function main(opts: { only?: string; lint: boolean; cacheHit?: string }): Promise<void> {
  const asked = opts.only ? opts.only.split(',').map((n) => n.trim()) : scaleDesigns.map((d) => d.name);
  // A design linted through a stand-in runs after it, and brings it along when linting.
  const chosen: string[] = [];
  for (const name of asked) {
    const standIn = scaleDesigns.find((d) => d.name === name)?.lintedAs;
    if (opts.lint && standIn && !chosen.includes(standIn)) chosen.push(standIn);
    if (!chosen.includes(name)) chosen.push(name);
  }
  const results: CaseResult[] = [];
  for (const name of chosen) {
    const entry = scaleDesigns.find((d) => d.name === name);
    if (!entry) throw new Error(`unknown scale design '${name}'; known: ${scaleDesigns.map((d) => d.name).join(', ')}`);
    process.stderr.write(`${name} ...\n`);
    const r = await execa(process.execPath, ['--max-old-space-size=8192', '--import', 'tsx', self, '--case', name, ...(opts.cacheHit?.split(',').includes(name) ? ['--cache-hit', name] : [])], {
      reject: false,
      all: false,
    });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    let res: CaseResult;
    if (r.exitCode === 0 && line.startsWith('{')) {
      res = JSON.parse(line) as CaseResult;
      if (opts.lint && entry.lintedAs) {
        const stand = results.find((x) => x.name === entry.lintedAs);
        if (stand?.lint) res.lint = { ...stand.lint, design: stand.name };
      } else if (opts.lint) {
        res.lint = await lint(name, res.top!);
      }
    } else {
      const err = (r.stderr || r.stdout).trim().split('\n');
      const first = err.find((l) => /Error|error:/.test(l)) ?? err[0] ?? `exit ${r.exitCode}`;
      res = { name, description: entry.description, ok: false, error: first.slice(0, 300) };
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
      (r.cacheHitBuildModelS !== undefined ? `  cache-hit buildModel ${f(r.cacheHitBuildModelS)} s` : ''),
  );
}

new Command()
  .name('npm run bench:scale --')
  .option('--case <name>', 'internal: run one design in this process')
  .option('--only <names>', 'comma-separated design names')
  .option('--no-lint', 'skip the Verilator lint')
  .option('--cache-hit <names>', 'for these designs (comma-separated), also build the Verilator model once and time a cache-hit buildModel')
  .action(async (opts: { case?: string; only?: string; lint: boolean; cacheHit?: string }) => {
    if (opts.case) await runCase(opts.case, opts.cacheHit !== undefined);
    else await main(opts);
  })
  .parseAsync();
