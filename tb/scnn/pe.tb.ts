import { elaborate } from '../../hw/index.ts';
import { ScnnPeTop } from '../../hw/scnn/pe-top.ts';
import { deriveSeed } from '../../sim/golden/random.ts';
import type { PeCounters } from '../../sim/scnn/cycle-model.ts';
import { randomWorkUnit } from '../../sim/scnn/random-work-units.ts';
import { ANTICIPATION_MODES, ARRAY_PASSES, type Anticipation } from '../../sim/scnn/work-unit.ts';
import { buildModel } from '../../sim/verilator/build.ts';
import { runChecked, type Testbench } from '../testbench.ts';
import { checkUnitAllModes } from './pe-check.ts';
import { TEST_PE_TOP } from './test-params.ts';

const DENSITIES = [0.01, 0.1, 0.3, 1] as const;

/**
 * The 1 x 1 PE top on seeded random work units of every pass, density, stride
 * 1 and 2 and a padding of 0-3, in the three anticipation modes: accumulators
 * equal to the reference bit for bit, every counter equal to the cycle model.
 */
export const peTestbench: Testbench = {
  name: 'scnn_pe',
  description: 'outer-product PE, 1 x 1 top: forward / input gradient / weight gradient / matmul x off / vector / element, densities 1-100%, strides 1-2, paddings 0-3, vs reference and cycle model',
  run: ({ seed }) =>
    runChecked('scnn_pe', seed, async () => {
      const model = await buildModel(elaborate(ScnnPeTop, TEST_PE_TOP));
      const totals = Object.fromEntries(ANTICIPATION_MODES.map((m) => [m, { cycles: 0, busy: 0, valid: 0, golden: 0 }])) as Record<Anticipation, { cycles: number; busy: number; valid: number; golden: number }>;
      let units = 0;
      for (const pass of ARRAY_PASSES) {
        for (const density of DENSITIES) {
          for (const stride of [1, 2] as const) {
            const unitSeed = deriveSeed(seed, pass, density, stride);
            const unit = randomWorkUnit({ pass, density, stride, padding: unitSeed % 4, seed: unitSeed });
            const r = await checkUnitAllModes(model, TEST_PE_TOP, unit, `${pass} density ${density} stride ${stride} seed ${unitSeed}`, unitSeed);
            for (const m of ANTICIPATION_MODES) {
              const c: PeCounters = r.counters[m];
              totals[m].cycles += c.cycles;
              totals[m].busy += c.busySlots;
              totals[m].valid += c.validProducts;
              totals[m].golden += c.goldenProducts;
            }
            units++;
          }
        }
      }
      const anticipated = (m: Anticipation) => {
        const t = totals[m];
        const rcps = t.golden - t.valid;
        return rcps === 0 ? 1 : (t.golden - t.busy) / rcps;
      };
      const metrics: Record<string, number> = { units };
      for (const m of ANTICIPATION_MODES) {
        metrics[`${m}_cycles`] = totals[m].cycles;
        metrics[`${m}_rcps_anticipated`] = anticipated(m);
      }
      const cycles = ANTICIPATION_MODES.reduce((s, m) => s + totals[m].cycles, 0);
      const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
      return {
        cycles,
        details:
          `${units} random units x 3 modes equal to reference and cycle model; cycles off/vector/element ${totals.off.cycles}/${totals.vector.cycles}/${totals.element.cycles}; ` +
          `RCPs anticipated vector ${pct(anticipated('vector'))}, element ${pct(anticipated('element'))}`,
        metrics,
      };
    }),
};
