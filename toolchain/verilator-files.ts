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

/** `verilator --lint-only -Wall` of `files` (absolute paths) with `top` as the top module. */
export async function lintVerilog(top: string, files: readonly string[], opts: { timeoutMs?: number } = {}): Promise<LintResult> {
  const verilator = await requireTool('verilator');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-'));
  try {
    const list = path.join(dir, 'files.f');
    writeVerilatorFileList(list, files);
    const t0 = performance.now();
    const r = await execa(verilator, ['--lint-only', '-Wall', '--top-module', top, '-f', list], { reject: false, all: true, ...(opts.timeoutMs ? { timeout: opts.timeoutMs } : {}) });
    const output = (r.all ?? '').trim();
    return { clean: r.exitCode === 0 && output === '', exitCode: r.exitCode, output, timedOut: r.timedOut, seconds: (performance.now() - t0) / 1000 };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
