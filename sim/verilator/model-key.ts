import { createHash } from 'node:crypto';
import type { Design } from '../../hw/index.ts';
import { designFingerprint } from '../../gen/fingerprint.ts';

export interface ModelKeyInputs {
  /** `verilator --version`. */
  readonly verilator: string;
  /** First line of the C++ compiler's `--version`: another compiler gives another binary. */
  readonly cxx: string;
  /** Verilator's flags apart from the source files (trace, optimisation, warnings). */
  readonly flags: readonly string[];
  /** The generated C++ harness. */
  readonly harness: string;
}

/**
 * The cache key of a Verilator model: everything that changes the binary. The
 * design enters through its fingerprint, so no Verilog is written to compute
 * the key and a cache hit costs a walk of the design.
 */
export function modelCacheKey(design: Design, k: ModelKeyInputs): string {
  const hash = createHash('sha256');
  hash.update(`${k.verilator}\0${k.cxx}\0${k.flags.join('\0')}\0\0${design.top.displayName}\0${k.harness}\0${designFingerprint(design)}`);
  return hash.digest('hex').slice(0, 16);
}
