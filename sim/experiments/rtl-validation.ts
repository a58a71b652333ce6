/**
 * Sampled validation of the model engine on the RTL (--validate-rtl N).
 *
 * While units run, the runner records every engine request of a unit with the
 * model's result (recordingEngine). Once every unit is there, N of the
 * experiment's pass runs are drawn (pickValidationSample) and each drawn one
 * runs on the RTL: its unit runs again with an engine that hands back the
 * recorded results (no model work) and also runs the drawn request on the
 * Verilator model of the array top (replayEngine). Outputs and valid products
 * must equal the golden layer (an error otherwise); the counters are compared
 * with the model's and the largest relative error is reported, not refused.
 *
 * The draw depends on the recorded requests and the seed alone, so a single
 * run and merged shards draw the same pass runs.
 */
import type { TrainingPass } from '../golden/conv-shape.ts';
import { deriveSeed, Rng } from '../golden/random.ts';
import { ARRAY_COUNTER_NAMES, type ArrayCounters } from '../scnn/array-cycle-model.ts';
import type { Anticipation } from '../scnn/work-unit.ts';
import type { EngineRequest, EngineResult, PeArrayEngine } from './engine.ts';
import { RtlRefusal, runOnRtl } from './rtl-engine.ts';

/** One engine request of a unit as the runner recorded it: what it was and the model's result. */
export interface RecordedRequest {
  readonly label: string;
  readonly work: 'conv' | 'matmul';
  readonly pass: TrainingPass | null;
  readonly modes: readonly Anticipation[];
  readonly result: EngineResult;
}

function describe(request: EngineRequest): Omit<RecordedRequest, 'result'> {
  return { label: request.label, work: request.work.kind, pass: request.work.kind === 'conv' ? request.work.pass : null, modes: [...request.modes] };
}

/** The engine given, recording each request and its result in `requests`. */
export function recordingEngine(engine: PeArrayEngine): { engine: PeArrayEngine; requests: RecordedRequest[] } {
  const requests: RecordedRequest[] = [];
  return {
    requests,
    engine: {
      kind: engine.kind,
      async run(request) {
        const result = await engine.run(request);
        requests.push({ ...describe(request), result });
        return result;
      },
    },
  };
}

/** What a validation costs: the cycles the RTL simulates, the model's cycles summed over the request's modes. */
export function simulatedCycles(r: RecordedRequest): number {
  return r.modes.reduce((s, m) => s + (r.result.byMode[m]?.cycles ?? 0), 0);
}

export interface ValidationCandidate {
  readonly unit: string;
  /** The request's place among its unit's requests. */
  readonly request: number;
  readonly cycles: number;
}

export const SAMPLE_RULE =
  'the pass runs (engine requests) ordered by the cycles the RTL would simulate (model cycles summed over their modes); N drawn uniformly with the seed from the smaller half of them (from the N smallest when N is more than half; all when there are at most N)';

/** N candidates by SAMPLE_RULE, in the experiment's order (units, then requests). */
export function pickValidationSample(candidates: readonly ValidationCandidate[], n: number, seed: number): ValidationCandidate[] {
  const order = new Map(candidates.map((c, i) => [c, i]));
  const bySize = [...candidates].sort((a, b) => a.cycles - b.cycles || order.get(a)! - order.get(b)!);
  const pool = bySize.slice(0, Math.max(n, Math.ceil(bySize.length / 2)));
  const rng = new Rng(deriveSeed(seed, 'validate-rtl'));
  for (let i = 0; i < Math.min(n, pool.length); i++) {
    const j = i + rng.nextInt(pool.length - i);
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, n).sort((a, b) => order.get(a)! - order.get(b)!);
}

/** One sampled pass run: the model's and the RTL's cycles in each mode and the model's largest error on any counter. */
export interface PassValidation {
  readonly unit: string;
  readonly request: number;
  readonly label: string;
  readonly work: 'conv' | 'matmul';
  readonly pass: TrainingPass | null;
  readonly runs: number;
  /** Cycles in each mode and the mode's largest relative counter error. */
  readonly byMode: Readonly<Partial<Record<Anticipation, { readonly modelCycles: number; readonly rtlCycles: number; readonly maxRelativeError: number }>>>;
  /** max over modes and counters of |model - RTL| / max(1, |RTL|). */
  readonly maxRelativeError: number;
  /** Why the RTL could not run the pass run (rtl-engine.ts RtlRefusal): then nothing was compared. */
  readonly refused: string | null;
  /** Where it is (null when every counter is equal). */
  readonly worst: { readonly mode: Anticipation; readonly counter: keyof ArrayCounters; readonly model: number; readonly rtl: number } | null;
}

async function validateRequest(request: EngineRequest, recorded: RecordedRequest, unit: string, index: number): Promise<PassValidation> {
  let rtl: EngineResult;
  try {
    rtl = (await runOnRtl(request, 'report')).result;
  } catch (e) {
    if (!(e instanceof RtlRefusal)) throw e;
    return { unit, request: index, ...describe(request), runs: recorded.result.runs, byMode: {}, maxRelativeError: 0, refused: e.message, worst: null };
  }
  const byMode: Partial<Record<Anticipation, { modelCycles: number; rtlCycles: number; maxRelativeError: number }>> = {};
  let maxRelativeError = 0;
  let worst: PassValidation['worst'] = null;
  for (const mode of request.modes) {
    const model = recorded.result.byMode[mode]!;
    const measured = rtl.byMode[mode]!;
    let modeError = 0;
    for (const counter of ARRAY_COUNTER_NAMES) {
      const error = Math.abs(model[counter] - measured[counter]) / Math.max(1, Math.abs(measured[counter]));
      modeError = Math.max(modeError, error);
      if (error > maxRelativeError) {
        maxRelativeError = error;
        worst = { mode, counter, model: model[counter], rtl: measured[counter] };
      }
    }
    byMode[mode] = { modelCycles: model.cycles, rtlCycles: measured.cycles, maxRelativeError: modeError };
  }
  return { unit, request: index, ...describe(request), runs: rtl.runs, byMode, maxRelativeError, refused: null, worst };
}

/**
 * An engine for running a unit again: it hands back the unit's recorded
 * results in order and runs the requests `picked` (their indices) on the RTL
 * too, putting their validations in `out`. A request that is not the one
 * recorded at its place is an error: the unit did not run the same way twice.
 */
export function replayEngine(unit: string, recorded: readonly RecordedRequest[], picked: ReadonlySet<number>, out: Map<number, { validation: PassValidation; wallTimeS: number }>): PeArrayEngine {
  let next = 0;
  return {
    kind: 'model',
    async run(request) {
      const index = next++;
      const was = recorded[index];
      const now = describe(request);
      const same = was !== undefined && was.label === now.label && was.work === now.work && was.pass === now.pass && was.modes.join() === now.modes.join();
      if (!same) {
        throw new Error(`unit ${unit}: request ${index} (${now.label}) is not the one its first run recorded${was ? ` (${was.label})` : ''}; the unit does not run the same way twice`);
      }
      if (picked.has(index)) {
        const t0 = performance.now();
        const validation = await validateRequest(request, was, unit, index);
        out.set(index, { validation, wallTimeS: Math.round(performance.now() - t0) / 1000 });
      }
      return was.result;
    },
  };
}

/** The validation of a run: the rule, the draw and every sampled pass run. */
export interface RtlValidation {
  readonly requested: number;
  readonly seed: number;
  readonly rule: string;
  /** Pass runs the experiment made, of which `passes` were sampled. */
  readonly candidates: number;
  readonly passes: readonly PassValidation[];
  readonly maxRelativeError: number;
}

export function summarizeValidation(requested: number, seed: number, candidates: number, passes: readonly PassValidation[]): RtlValidation {
  return { requested, seed, rule: SAMPLE_RULE, candidates, passes, maxRelativeError: passes.reduce((m, p) => Math.max(m, p.maxRelativeError), 0) };
}
