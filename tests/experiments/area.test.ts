import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { areaExperiment, scaleArea, SCALING_RULE } from '../../sim/experiments/area.ts';
import { runExperiment } from '../../sim/experiments/runner.ts';
import { expectReportFiles, readJson, settingsFor, tempDir } from './helpers.ts';

describe('area experiment', () => {
  it('states the node-scaling rule and applies it as the square of the feature size', () => {
    expect(scaleArea(1600, 45)).toBe(100);
    expect(scaleArea(180 * 180, 16)).toBeCloseTo(256, 9);
    expect(SCALING_RULE).toMatch(/^estimate: /);
  });

  it('reports the synthesis figures of a design with a memory, ASIC and FPGA, with report and plot', async () => {
    const out = tempDir('area');
    const settings = settingsFor(areaExperiment, { designs: ['histogram'] });
    const outcome = await runExperiment(areaExperiment, settings, { outDir: out, argv: [] });
    expect(outcome.unitsRun).toBe(2);
    expectReportFiles(out, ['area-breakdown']);
    // The same API as npm run synth wrote its own reports beside the experiment's.
    const asic = readJson(path.join(out, 'synth', 'histogram.json'));
    const fpga = readJson(path.join(out, 'synth', 'histogram.fpga.json'));
    const results = readJson(path.join(out, 'results.json'));
    expect(results.environment.tools.yosys).toBe(asic.yosysVersion);
    const [row] = results.figures.designs;
    expect(row).toMatchObject({
      design: 'histogram',
      stdCellAreaUm2: asic.areaUm2,
      memoryBits: asic.memoryBits,
      memoryAreaUm2Estimate: asic.memoryAreaUm2Estimate,
      totalAreaMm2At180nm: asic.totalAreaUm2Estimate / 1e6,
      luts: fpga.luts,
      flipFlopsFpga: fpga.flipFlops,
      dsps: fpga.dsps,
      blockRams: fpga.blockRams,
    });
    expect(asic.memoryBits).toBeGreaterThan(0);
    expect(row.totalAreaMm2At45nmEstimate).toBeCloseTo(asic.totalAreaUm2Estimate / 16 / 1e6, 12);
    expect(row.totalAreaMm2At16nmEstimate).toBeCloseTo((asic.totalAreaUm2Estimate * (16 / 180) ** 2) / 1e6, 12);
    const summary = fs.readFileSync(path.join(out, 'summary.md'), 'utf8');
    expect(summary).toContain('mm² @45 nm (estimate)');
    expect(summary).toContain(SCALING_RULE);
    // No timing leaks into the figures: they are equal on a re-run from scratch.
    expect(JSON.stringify(results.figures)).not.toContain('wallTime');
  });
});
