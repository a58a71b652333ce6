/**
 * The RTL engine: runs an experiment's pass on the Verilator model of the
 * array top the experiment's --array gives, as the benchmark does
 * (bench/pe.ts): the same schedule and runs as the model engine
 * (engine.ts planWork), every run a job of one model process per pass, the
 * three modes sharing their encoded images (tb/scnn/array-pass-run.ts). Every
 * output is held to the golden layer bit for bit and every run's counters to
 * the array cycle model; the figures returned are the RTL's counters.
 *
 * The model of an array top is built once per process (and cached on disk
 * under build/verilator by buildModel), so every pass of an experiment run
 * shares it.
 */
import { elaborate } from '../../hw/index.ts';
import type { ArrayTopParams } from '../../hw/scnn/array-params.ts';
import { ScnnArrayTop } from '../../hw/scnn/array-top.ts';
import { requirePassAsModelled, runPassInModes, type PassOnArray } from '../../tb/scnn/array-pass-run.ts';
import { gemmDense } from '../golden/gemm.ts';
import { countRcpFast } from '../golden/rcp-count.ts';
import type { ArrayCounters } from '../scnn/array-cycle-model.ts';
import { goldenPassOutput, isFullyConnected } from '../scnn/layer-run.ts';
import type { Matrix } from '../scnn/scheduler.ts';
import { matmulValid, matrixProductTerms } from '../scnn/training-step.ts';
import { ImpossibleWorkUnit } from '../scnn/images.ts';
import type { Anticipation } from '../scnn/work-unit.ts';
import { buildModel, type VerilatedModel } from '../verilator/build.ts';
import { planWork, plannedShape, RTL_MADE_BY, type EngineRequest, type EngineResult, type EngineWork, type PeArrayEngine } from './engine.ts';

const models = new Map<string, Promise<VerilatedModel>>();

/** The Verilator model of an array top: built (or taken from the cache) once per process. */
export function arrayTopModel(top: ArrayTopParams): Promise<VerilatedModel> {
  const key = JSON.stringify(top);
  let model = models.get(key);
  if (!model) {
    model = buildModel(elaborate(ScnnArrayTop, top));
    // A failed build is not kept: the next pass tries again and reports its own error.
    model.catch(() => models.delete(key));
    models.set(key, model);
  }
  return model;
}

/** A pass the array's RTL cannot run (its images cannot encode it), though the cycle model can. */
export class RtlRefusal extends Error {
  override readonly name = 'RtlRefusal';
}

/** C = A . B by the golden dense GEMM, with the accumulators' wrap as the hardware has it. */
function matrixProduct(a: Matrix, b: Matrix, label: string): Int32Array {
  return gemmDense({ dims: [a.rows, a.cols], values: a.values }, { dims: [b.rows, b.cols], values: b.values }, { onOverflow: 'wrap', label }).values;
}

/** The golden output of the work and its count of valid products. */
function goldenOf(work: EngineWork, label: string): { output: Int32Array; valid: number } {
  if (work.kind === 'matmul') return { output: matrixProduct(work.a, work.b, label), valid: matrixProductTerms(work.a, work.b) };
  const valid = isFullyConnected(work.shape) ? matmulValid(work.shape, work.pass, work.operands) : countRcpFast(work.shape, work.operands)[work.pass].valid;
  return { output: goldenPassOutput(work.shape, work.pass, work.operands, label), valid };
}

export interface RtlPassOutcome {
  /** The RTL's figures. */
  readonly result: EngineResult;
  /** What the cycle model predicts for the same runs, in each mode. */
  readonly predicted: Readonly<Partial<Record<Anticipation, ArrayCounters>>>;
  readonly wallMs: number;
}

/**
 * Runs a request on the RTL. Outputs, valid products and the watchdog are
 * always checked; `counters` 'require' also fails on the first counter that
 * differs from the cycle model, 'report' returns both for the caller to
 * compare (sampled validation, rtl-validation.ts).
 */
export async function runOnRtl(request: EngineRequest, counters: 'require' | 'report'): Promise<RtlPassOutcome> {
  const { array, work, modes, label } = request;
  const planned = planWork(request);
  const model = await arrayTopModel(array.top);
  const golden = goldenOf(work, label);
  // The harness's seed only randomises state the design initialises before use; outputs must not depend on it.
  const what = work.kind === 'conv' ? `${work.pass} pass` : 'matrix product';
  let runs: PassOnArray[];
  try {
    runs = await runPassInModes(model, array.top, planned.schedule, planned.grid, modes, { seed: 1, runs: planned.runs });
  } catch (e) {
    // The scheduler and the run planner check what the encoder would refuse, so this is a guard: were the model engine ever to accept what the RTL cannot encode, the pass is refused by name.
    if (e instanceof ImpossibleWorkUnit) throw new RtlRefusal(`${label}, ${what}: the ${array.top.px} x ${array.top.py} array RTL cannot run it: ${e.message}`);
    throw e;
  }
  const byMode: Partial<Record<Anticipation, ArrayCounters>> = {};
  const predicted: Partial<Record<Anticipation, ArrayCounters>> = {};
  for (const [m, mode] of modes.entries()) {
    const r = runs[m]!;
    requirePassAsModelled(r, golden.output, golden.valid, `${label}, ${what}, mode ${mode}`, counters);
    byMode[mode] = r.counters;
    predicted[mode] = r.predicted;
  }
  return { result: { ...plannedShape(planned, array), byMode, madeBy: RTL_MADE_BY }, predicted, wallMs: runs[0]?.wallMs ?? 0 };
}

/** The engine of --engine rtl. */
export const rtlEngine: PeArrayEngine = {
  kind: 'rtl',
  run: async (request) => (await runOnRtl(request, 'require')).result,
};
