import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { Experiment, ExperimentSettings } from '../../sim/experiments/experiment.ts';
import { resolveSettings, type GivenSettings } from '../../sim/experiments/settings.ts';

export function tempDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `exp-${label}-`));
}

export function settingsFor(experiment: Experiment, given: GivenSettings): ExperimentSettings {
  return resolveSettings(experiment, given);
}

export function readJson(file: string): any {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** results.json without the `run` section (timings, machines, command lines of the invocations). */
export function withoutRun(file: string): string {
  const doc = readJson(file);
  delete doc.run;
  return JSON.stringify(doc, null, 2);
}

export const runCli = (script: 'cli' | 'merge-cli', args: string[]) =>
  execa('node', ['--import', 'tsx', `sim/experiments/${script}.ts`, ...args], { reject: false, cwd: process.cwd() });

/** Checks the report files exist and the plots are SVG documents. */
export function expectReportFiles(dir: string, plots: readonly string[]): void {
  for (const f of ['results.json', 'results.csv', 'summary.md']) {
    if (!fs.existsSync(path.join(dir, f))) throw new Error(`${f} missing in ${dir}`);
  }
  for (const p of plots) {
    const svg = fs.readFileSync(path.join(dir, 'plots', `${p}.svg`), 'utf8');
    if (!svg.startsWith('<svg') || !svg.includes('</svg>')) throw new Error(`plots/${p}.svg is not an SVG document`);
    readJson(path.join(dir, 'plots', `${p}.vl.json`));
  }
}
