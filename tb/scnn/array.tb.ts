import { elaborate } from '../../hw/index.ts';
import { ScnnArrayTop } from '../../hw/scnn/array-top.ts';
import { ANTICIPATION_MODES } from '../../sim/scnn/work-unit.ts';
import { buildModel } from '../../sim/verilator/build.ts';
import { runChecked, type Testbench } from '../testbench.ts';
import { passCases } from './array-cases.ts';
import { checkPassAllModes } from './array-check.ts';
import { TEST_ARRAY_TOP } from './array-test-params.ts';

/**
 * The 3 x 3 array top on whole layer passes (one bulk run per pass and mode):
 * a forward, input-gradient and weight-gradient pass of a strided, padded
 * convolution and of a fully-connected layer (matrix mode), each scheduled by
 * the scheduler, equal to the golden layer bit for bit and to the array cycle
 * model counter for counter, in the three anticipation modes.
 */
export const arrayTestbench: Testbench = {
  name: 'scnn_array',
  description: '3 x 3 PE array top: whole layer passes (conv forward / input gradient / weight gradient, fully connected) x off / vector / element vs golden layer and array cycle model',
  run: ({ seed }) =>
    runChecked('scnn_array', seed, async () => {
      const model = await buildModel(elaborate(ScnnArrayTop, TEST_ARRAY_TOP));
      const cases = passCases(seed).filter((c) => c.label === 'conv 9x11 k3 s2 p0' || c.label === 'fc 40 -> 7');
      const cycles = Object.fromEntries(ANTICIPATION_MODES.map((m) => [m, 0])) as Record<(typeof ANTICIPATION_MODES)[number], number>;
      let units = 0;
      let drain = 0;
      for (const c of cases) {
        const r = await checkPassAllModes(model, TEST_ARRAY_TOP, c, seed);
        units += r.units;
        drain += r.counters.element.drainCycles;
        for (const m of ANTICIPATION_MODES) cycles[m] += r.counters[m].cycles;
      }
      return {
        cycles: cycles.off + cycles.vector + cycles.element,
        details:
          `${cases.length} layer passes (${units} work units) x 3 modes equal to the golden layers and the array cycle model; cycles off/vector/element ${cycles.off}/${cycles.vector}/${cycles.element}, ` +
          `drain ${((100 * drain) / cycles.element).toFixed(0)}% of the element-mode cycles`,
        metrics: { passes: cases.length, units, off_cycles: cycles.off, vector_cycles: cycles.vector, element_cycles: cycles.element, element_drain_cycles: drain },
      };
    }),
};
