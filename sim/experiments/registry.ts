/** Every experiment the CLI knows, in the order `--list` shows them. */
import { areaExperiment } from './area.ts';
import { dsgExperiment } from './dsg.ts';
import type { Experiment } from './experiment.ts';
import { antExperiment } from './ant.ts';
import { lstmExperiment } from './lstm.ts';
import { spartanExperiment } from './spartan.ts';
import { sparsertExperiment } from './sparsert.ts';
import { rcpBreakdown } from './rcp-breakdown.ts';
import { SettingsError } from './settings.ts';

export const EXPERIMENTS: readonly Experiment[] = [
  antExperiment,
  rcpBreakdown,
  spartanExperiment,
  sparsertExperiment,
  dsgExperiment,
  lstmExperiment,
  areaExperiment,
];

export function findExperiment(name: string): Experiment {
  const found = EXPERIMENTS.find((e) => e.name === name);
  if (!found) throw new SettingsError(`unknown experiment "${name}"; choose one of: ${EXPERIMENTS.map((e) => e.name).join(', ')} (--list describes them)`);
  return found;
}
