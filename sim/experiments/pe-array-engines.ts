/** Picks the engine an experiment's --engine names, and says what made its figures. */
import { MODEL_MADE_BY, modelEngine, RTL_MADE_BY, type EngineKind, type PeArrayEngine } from './engine.ts';
import { rtlEngine } from './rtl-engine.ts';

export class EngineUnavailableError extends Error {
  override readonly name = 'EngineUnavailableError';
}

/**
 * Experiments whose engine requests the RTL runs: layer passes and matrix
 * products on the array top (a pass whose images the array cannot encode is
 * still refused when it comes, rtl-engine.ts RtlRefusal). Any other
 * experiment is refused --engine rtl with one message before any work.
 */
const RTL_EXPERIMENTS: readonly string[] = ['ant', 'sparsert', 'spartan', 'dsg', 'lstm'];

export function requirePeArrayEngine(kind: EngineKind, experiment: string): PeArrayEngine {
  if (kind === 'model') return modelEngine;
  if (!RTL_EXPERIMENTS.includes(experiment)) {
    throw new EngineUnavailableError(`experiment "${experiment}": --engine rtl runs only ${RTL_EXPERIMENTS.join(', ')}; use --engine model`);
  }
  return rtlEngine;
}

/** What made an experiment's array figures with this engine. */
export function engineMadeBy(kind: EngineKind): string {
  return kind === 'model' ? MODEL_MADE_BY : RTL_MADE_BY;
}
