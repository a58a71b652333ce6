import { CompactionEngine, DEFAULT_COMPACTION_ENGINE } from '../../hw/spartan/compaction-engine.ts';
import { deriveSeed } from '../../sim/golden/random.ts';
import { check, defineTestbench } from '../testbench.ts';
import { checkCompaction } from './compaction-check.ts';
import { runCompactionBulk } from './compaction-run.ts';
import { frontEndTensor, percent, ZERO_FRACTIONS, type TensorShape } from './workloads.ts';

const DIMS: [number, number, number] = [32, 14, 14];
const TENSORS_PER_RUN = 2;
const IN_STALL = 0.2;
const OUT_STALL = 0.3;

/**
 * The V = 16 compaction engine against the golden formats: for every zero
 * fraction from 0 to 100% and for uniform and ReLU-shaped tensors, two
 * tensors back to back in CSR mode and in ZVC mode under random bubbles and
 * back-pressure, then once more with neither to measure the throughput.
 */
export const compactionEngineTestbench = defineTestbench({
  name: 'compaction_engine',
  description: 'Spartan compaction engine (V=16): CSR/COO and ZVC streams vs the golden formats at 0-100% zeros, uniform and ReLU tensors, random back-pressure; throughput',
  run: async ({ seed, build }) => {
    const params = DEFAULT_COMPACTION_ENGINE;
    const { model } = await build(CompactionEngine, params);
    const elements = TENSORS_PER_RUN * DIMS[0] * DIMS[1] * DIMS[2];
    let cycles = 0;
    const metrics: Record<string, number> = {};
    const rates: string[] = [];
    for (const shape of ['uniform', 'relu'] as TensorShape[]) {
      for (const zeros of ZERO_FRACTIONS) {
        const tensors = Array.from({ length: TENSORS_PER_RUN }, (_, t) => frontEndTensor(DIMS, zeros, shape, params.elementWidth, deriveSeed(seed, t)));
        const label = `${shape} ${percent(zeros)} zeros`;
        for (const mode of ['csr', 'zvc'] as const) {
          const run = await runCompactionBulk(model, params, tensors, { seed: deriveSeed(seed, shape, zeros, mode), mode, inStall: IN_STALL, outStall: OUT_STALL });
          check(run.consumedBeats === run.inputBeats, () => `${label}, ${mode}: ${run.consumedBeats} of ${run.inputBeats} beats consumed`);
          checkCompaction(tensors, run.streams, params, mode);
          cycles += run.cycles;
        }
        const free = await runCompactionBulk(model, params, tensors, { seed: deriveSeed(seed, shape, zeros, 'free'), mode: 'csr' });
        checkCompaction(tensors, free.streams, params, 'csr');
        cycles += free.cycles;
        const rate = elements / (free.lastVectorCycle + 1);
        metrics[`${shape}_${Math.round(zeros * 100)}pct_elements_per_cycle`] = rate;
        if (shape === 'uniform') rates.push(`${percent(zeros)}: ${rate.toFixed(2)}`);
      }
    }
    return {
      cycles,
      details: `${DIMS.join('x')} tensors, ${TENSORS_PER_RUN} per run, CSR and ZVC under stalls (in ${IN_STALL}, out ${OUT_STALL}) all equal to golden; elements/cycle without stalls (uniform, zeros): ${rates.join(', ')}`,
      metrics,
    };
  },
});
