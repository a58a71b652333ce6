/**
 * PE-array experiments that are not built yet. They are registered so that
 * `--list` shows them and their settings are checked, and they fail with one
 * message before any work: no figure of theirs is made up.
 */
import type { Experiment } from './experiment.ts';

/** The one message a pending experiment fails with. */
export function pendingMessage(name: string, what: string): string {
  return `experiment "${name}" is not built yet: ${what}; nothing was run and no figure was written (docs/experiments.md says what runs today)`;
}

function pending(
  name: string,
  title: string,
  reproduces: string,
  accepts: Experiment['accepts'],
  defaults: Experiment['defaults'],
  what: string,
): Experiment {
  const message = pendingMessage(name, what);
  const fail = (): never => {
    throw new Error(message);
  };
  return {
    name,
    title,
    reproduces,
    accepts,
    defaults,
    pending: message,
    workUnits: fail,
    runUnit: fail,
    report: fail,
  };
}

const PE_SETTINGS: Experiment['accepts'] = ['nets', 'sparsities', 'generators', 'batch', 'seed', 'array', 'engine'];

export const spartanExperiment = pending(
  'spartan',
  'Spartan: tile-based dense/sparse GEMM and monitor overhead',
  'Spartan (TPDS 2021): conv-layer speedups AlexNet 3.4x, VGG-16 2.14x, ResNet-18 2.02x; profiling overhead cut 52.5x',
  PE_SETTINGS,
  { generators: ['relu', 'dsg'] },
  'the per-tile dense/sparse choice (a dense path beside the sparse array, and the measured crossover density) is not modelled yet',
);
