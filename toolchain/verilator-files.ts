/**
 * Source files handed to Verilator in a command file (`-f`), not on the
 * command line. Verilator's `verilator` wrapper runs `verilator_bin` through
 * one shell command string, and Linux refuses any single argument longer than
 * 128 KiB (MAX_ARG_STRLEN): a design of a few thousand modules fails before
 * Verilator starts ("Verilator threw signal -1"). A command file has no such
 * limit.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { requireTool } from './tools.ts';

/** Writes `paths` one per line to `listFile`, for Verilator's `-f listFile` (relative paths are read from Verilator's working folder). */
export function writeVerilatorFileList(listFile: string, paths: readonly string[]): void {
  fs.mkdirSync(path.dirname(listFile), { recursive: true });
  fs.writeFileSync(listFile, `${paths.join('\n')}\n`);
}

export interface LintResult {
  /** Exit 0 and not a line of output. */
  readonly clean: boolean;
  readonly exitCode: number | undefined;
  readonly output: string;
  readonly timedOut: boolean;
  readonly seconds: number;
}

/** What Verilator prints when told `-fno-gate`: not a finding of the lint. */
const NO_GATE_NOTICE = /^-Info: Command Line disabled gate optimization with -fno-gate\..*$/m;

export interface LintOptions {
  readonly timeoutMs?: number;
  /**
   * Adds `-fno-gate`. Verilator 5.006's scheduler ranks its ordering graph
   * with a depth-first search that revisits a vertex each time it finds a
   * longer path to it; after the gate optimisation has inlined the wires of a
   * long register pipeline in one module, that grows quadratically with the
   * pipeline (docs/language.md, "Verilator lint of a flat module"). The lint's checks (widths,
   * drivers, unused signals, combinational loops) run with or without the
   * optimisation; without it the ordering graph keeps every wire, so a
   * combinational loop is reported at least as readily.
   */
  readonly withoutGateOptimisation?: boolean;
}

/** `verilator --lint-only -Wall` of `files` (absolute paths) with `top` as the top module. */
export async function lintVerilog(top: string, files: readonly string[], opts: LintOptions = {}): Promise<LintResult> {
  const verilator = await requireTool('verilator');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-'));
  try {
    const list = path.join(dir, 'files.f');
    writeVerilatorFileList(list, files);
    const t0 = performance.now();
    const flags = ['--lint-only', '-Wall', ...(opts.withoutGateOptimisation ? ['-fno-gate'] : [])];
    const r = await execa(verilator, [...flags, '--top-module', top, '-f', list], { reject: false, all: true, ...(opts.timeoutMs ? { timeout: opts.timeoutMs } : {}) });
    const all = r.all ?? '';
    const output = (opts.withoutGateOptimisation ? all.replace(NO_GATE_NOTICE, '') : all).trim();
    return { clean: r.exitCode === 0 && output === '', exitCode: r.exitCode, output, timedOut: r.timedOut, seconds: (performance.now() - t0) / 1000 };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
