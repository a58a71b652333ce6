/**
 * Runs the sampled RTL validation of a finished experiment (rtl-validation.ts)
 * and keeps each sampled pass run's outcome as validation/<unit>.<request>.json
 * in the output folder: a run or merge that finds it (in any of its source
 * folders) does not simulate it again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../synth/files.ts';
import type { Experiment, ExperimentSettings, WorkUnit } from './experiment.ts';
import { pickValidationSample, replayEngine, simulatedCycles, summarizeValidation, type PassValidation, type RecordedRequest, type RtlValidation } from './rtl-validation.ts';

const VALIDATION_SCHEMA = 'sparse-train-hw/experiment-rtl-validation/1';

interface ValidationFile {
  readonly schema: string;
  readonly fingerprint: string;
  readonly validation: PassValidation;
  readonly wallTimeS: number;
}

function validationFile(dir: string, unit: string, request: number): string {
  return path.join(dir, 'validation', `${unit}.${request}.json`);
}

function readValidation(dirs: readonly string[], fingerprint: string, unit: string, request: number): ValidationFile | undefined {
  for (const dir of dirs) {
    try {
      const f = JSON.parse(fs.readFileSync(validationFile(dir, unit, request), 'utf8')) as ValidationFile;
      if (f.schema === VALIDATION_SCHEMA && f.fingerprint === fingerprint) return f;
    } catch {
      // absent or unreadable: simulated again
    }
  }
  return undefined;
}

export interface ValidationInputs {
  readonly experiment: Experiment;
  readonly settings: ExperimentSettings;
  readonly units: readonly WorkUnit[];
  readonly requests: ReadonlyMap<string, readonly RecordedRequest[]>;
  readonly fingerprint: string;
  readonly sourceDirs: readonly string[];
  readonly outDir: string;
}

export async function validateOnRtl(o: ValidationInputs): Promise<{ validation: RtlValidation; wallTimeS: Record<string, number> }> {
  const candidates = o.units.flatMap((u) => (o.requests.get(u.id) ?? []).map((r, request) => ({ unit: u.id, request, cycles: simulatedCycles(r) })));
  const picks = pickValidationSample(candidates, o.settings.validateRtl, o.settings.seed);
  const found = new Map<string, ValidationFile>();
  const key = (unit: string, request: number) => `${unit}.${request}`;
  for (const p of picks) {
    const f = readValidation([o.outDir, ...o.sourceDirs], o.fingerprint, p.unit, p.request);
    if (f) found.set(key(p.unit, p.request), f);
  }
  for (const unit of o.units) {
    const missing = new Set(picks.filter((p) => p.unit === unit.id && !found.has(key(p.unit, p.request))).map((p) => p.request));
    if (missing.size === 0) continue;
    const out = new Map<number, { validation: PassValidation; wallTimeS: number }>();
    // The unit runs again on its recorded results; only the drawn requests simulate.
    await o.experiment.runUnit(unit, o.settings, { outDir: o.outDir, engine: replayEngine(unit.id, o.requests.get(unit.id) ?? [], missing, out) });
    for (const request of missing) {
      const done = out.get(request);
      if (!done) throw new Error(`unit ${unit.id}: request ${request} was recorded but not made again; the unit does not run the same way twice`);
      const file: ValidationFile = { schema: VALIDATION_SCHEMA, fingerprint: o.fingerprint, ...done };
      writeFileAtomic(validationFile(o.outDir, unit.id, request), `${JSON.stringify(file)}\n`);
      found.set(key(unit.id, request), file);
    }
  }
  const passes = picks.map((p) => found.get(key(p.unit, p.request))!);
  return {
    validation: summarizeValidation(o.settings.validateRtl, o.settings.seed, candidates.length, passes.map((f) => f.validation)),
    wallTimeS: Object.fromEntries(passes.map((f) => [key(f.validation.unit, f.validation.request), f.wallTimeS])),
  };
}
