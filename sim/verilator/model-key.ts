import { createHash } from 'node:crypto';
import type { Design } from '../../hw/index.ts';
import { designFingerprint } from '../../gen/fingerprint.ts';

export interface ModelKeyInputs {
  /** `verilator --version`. */
  readonly version: string;
  readonly trace: boolean;
  readonly optimize: number;
  /** The generated C++ harness. */
  readonly harness: string;
}

/**
 * The cache key of a Verilator model: the design's fingerprint (no Verilog is
 * written to compute it, so a cache hit costs a walk of the design), the
 * harness, the Verilator version and the build options.
 */
export function modelCacheKey(design: Design, k: ModelKeyInputs): string {
  const hash = createHash('sha256');
  hash.update(`${k.version}\0${k.trace}\0${k.optimize}\0${design.top.displayName}\0${k.harness}\0${designFingerprint(design)}`);
  return hash.digest('hex').slice(0, 16);
}
