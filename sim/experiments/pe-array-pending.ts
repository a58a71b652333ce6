/**
 * The experiments that need the PE array with anticipation and its cycle model
 * (issue 9). They are registered so that `--list` shows them and their
 * settings are checked, and they fail with one message before any work: no
 * figure of theirs is made up.
 */
import { PendingEngineError } from './engine.ts';
import type { Experiment } from './experiment.ts';

function pending(
  name: string,
  title: string,
  reproduces: string,
  accepts: Experiment['accepts'],
  defaults: Experiment['defaults'],
): Experiment {
  const fail = (): never => {
    throw new PendingEngineError(name, 'model');
  };
  return {
    name,
    title,
    reproduces,
    accepts,
    defaults,
    pending: new PendingEngineError(name, 'model').message,
    workUnits: fail,
    runUnit: fail,
    report: fail,
  };
}

const PE_SETTINGS: Experiment['accepts'] = ['nets', 'sparsities', 'generators', 'batch', 'seed', 'array', 'engine'];

export const antExperiment = pending(
  'ant',
  'ANT: RCP anticipation on an SCNN-like array',
  'ANT (ISCA 2022): 3.71x geomean speedup and 4.40x less energy than an SCNN-like array at 90% sparsity, over 90% of RCPs anticipated',
  PE_SETTINGS,
  { sparsities: [0.9], generators: ['topk'] },
);

export const spartanExperiment = pending(
  'spartan',
  'Spartan: tile-based dense/sparse GEMM and monitor overhead',
  'Spartan (TPDS 2021): conv-layer speedups AlexNet 3.4x, VGG-16 2.14x, ResNet-18 2.02x; profiling overhead cut 52.5x',
  PE_SETTINGS,
  { generators: ['relu', 'dsg'] },
);

export const sparsertExperiment = pending(
  'sparsert',
  'SparseRT: 1x1 convolutions and FC layers at high weight sparsity',
  'SparseRT (PACT 2020): 1x1 convolutions and FC layers 3.4x faster than dense at 90% weight sparsity, 5.4x at 95%',
  PE_SETTINGS,
  { generators: ['prune'], sparsities: [0.5, 0.7, 0.8, 0.9, 0.95, 0.98] },
);

export const lstmExperiment = pending(
  'lstm',
  'Structured gate-gradient sparsity in an LSTM backward pass',
  'Zhu et al. 2018: structured gate-gradient sparsity makes the LSTM backward pass up to 45% faster than dense and faster than unstructured',
  ['sparsities', 'generators', 'batch', 'seed', 'array', 'engine'],
  { generators: ['lstm', 'uniform'] },
);
