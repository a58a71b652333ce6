/**
 * What a run records about where it ran: the tool versions and source commit
 * that must agree between shards (the environment), and the machine, which may
 * differ between shards and is kept per invocation.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { yosysVersion } from '../../synth/yosys-run.ts';
import { requireTool } from '../../toolchain/tools.ts';
import { currentCodeFingerprint } from './code-fingerprint.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** npm packages whose versions can change a figure or a plot. */
const RECORDED_PACKAGES = ['vega', 'vega-lite', 'typescript', 'tsx'] as const;

export interface Environment {
  readonly node: string;
  readonly packages: Readonly<Record<string, string>>;
  readonly tools: Readonly<Record<string, string>>;
  /**
   * HEAD of the repository, whether the working tree had uncommitted changes, and the
   * digest of the code that computes the figures (code-fingerprint.ts), which tells
   * uncommitted trees apart too.
   */
  readonly source: { readonly commit: string | null; readonly uncommittedChanges: boolean | null; readonly code: string };
}

export interface Machine {
  readonly host: string;
  readonly platform: string;
  readonly cpuModel: string;
  readonly cpus: number;
  readonly memoryGiB: number;
}

function packageVersion(name: string): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return 'not installed';
  }
}

async function gitSource(): Promise<Environment['source']> {
  const code = currentCodeFingerprint();
  const head = await execa('git', ['rev-parse', 'HEAD'], { cwd: ROOT, reject: false });
  if (head.exitCode !== 0) return { commit: null, uncommittedChanges: null, code };
  const status = await execa('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, reject: false });
  return { commit: head.stdout.trim(), uncommittedChanges: status.exitCode === 0 ? status.stdout.trim() !== '' : null, code };
}

async function toolVersion(tool: 'yosys' | 'verilator'): Promise<string> {
  if (tool === 'yosys') return yosysVersion();
  const verilator = await requireTool('verilator');
  return (await execa(verilator, ['--version'])).stdout.trim();
}

export async function currentEnvironment(tools: readonly ('yosys' | 'verilator')[]): Promise<Environment> {
  const versions: Record<string, string> = {};
  for (const tool of tools) versions[tool] = await toolVersion(tool);
  return {
    node: process.version,
    packages: Object.fromEntries(RECORDED_PACKAGES.map((p) => [p, packageVersion(p)])),
    tools: versions,
    source: await gitSource(),
  };
}

export function currentMachine(): Machine {
  const cpus = os.cpus();
  return {
    host: os.hostname(),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpus: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
  };
}
