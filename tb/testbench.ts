import { elaborate, type Design, type IOSpec, type ModuleDefinition } from '../hw/index.ts';
import { buildModel, type VerilatedModel } from '../sim/verilator/build.ts';

/** What every cycle-accurate testbench reports to `make sim` and to the tests. */
export interface TestbenchReport {
  readonly name: string;
  readonly passed: boolean;
  /** Simulated clock cycles. */
  readonly cycles: number;
  readonly seed: number;
  /** Human-readable figures (throughput, latency...). */
  readonly details: string;
  /** Why it failed, when it did. */
  readonly failure?: string;
  readonly wallMs: number;
  /** Named figures for reports. */
  readonly metrics?: Readonly<Record<string, number>>;
}

export interface Testbench {
  readonly name: string;
  readonly description: string;
  run(opts: { seed: number }): Promise<TestbenchReport>;
}

/** Runs a check body, turning a thrown error into a failed report. */
export async function runChecked(
  name: string,
  seed: number,
  body: () => Promise<{ cycles: number; details: string; metrics?: Record<string, number> }>,
): Promise<TestbenchReport> {
  const t0 = performance.now();
  try {
    const r = await body();
    return { name, passed: true, seed, wallMs: performance.now() - t0, ...r };
  } catch (e) {
    return { name, passed: false, cycles: 0, seed, details: '', failure: e instanceof Error ? e.message : String(e), wallMs: performance.now() - t0 };
  }
}

export class CheckFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckFailure';
  }
}

export function check(cond: boolean, message: () => string): asserts cond {
  if (!cond) throw new CheckFailure(message());
}

/** The outcome of a passing check body. */
export interface CheckResult {
  readonly cycles: number;
  readonly details: string;
  readonly metrics?: Record<string, number>;
}

export interface TestbenchContext {
  readonly seed: number;
  /** Elaborates a design and builds (or takes from the cache) its Verilator model. */
  build<P, S extends IOSpec>(def: ModuleDefinition<P, S>, params: P): Promise<{ design: Design; model: VerilatedModel }>;
}

/**
 * A testbench: its name, what it checks, and a body that throws on a failed
 * check. Elaboration, the model build and the report around the body are
 * the same for every testbench, and written here once.
 */
export function defineTestbench(tb: { name: string; description: string; run: (ctx: TestbenchContext) => Promise<CheckResult> }): Testbench {
  const build = async <P, S extends IOSpec>(def: ModuleDefinition<P, S>, params: P): Promise<{ design: Design; model: VerilatedModel }> => {
    const design = elaborate(def, params);
    return { design, model: await buildModel(design) };
  };
  return {
    name: tb.name,
    description: tb.description,
    run: ({ seed }) => runChecked(tb.name, seed, () => tb.run({ seed, build })),
  };
}
