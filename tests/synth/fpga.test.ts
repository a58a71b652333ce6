import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findDesign } from '../../gen/designs.ts';
import { FPGA_FAMILIES } from '../../synth/fpga.ts';
import { runFpgaFlow, writeDesignVerilog } from '../../synth/run-design.ts';
import { scratchDir } from './scratch.ts';

describe('FPGA flow', () => {
  it('maps the counter to 7-series LUTs, carry and 8 flip-flops', async () => {
    const outDir = scratchDir('fpga');
    const rtl = writeDesignVerilog(findDesign('counter'), outDir);
    const report = await runFpgaFlow('counter', rtl, outDir, 'xc7');
    expect(report.flipFlops).toBe(8);
    expect(report.luts).toBeGreaterThan(0);
    expect(report.blockRams).toBe(0);
    expect(report.dsps).toBe(0);
    // Every primitive is counted in exactly one resource class.
    const classified = report.luts + report.flipFlops + report.carryCells + report.lutRamCells + report.blockRams + report.dsps + report.muxCells + report.otherCells;
    expect(classified).toBe(Object.values(report.cells).reduce((a, b) => a + b, 0));
    expect(JSON.parse(fs.readFileSync(path.join(outDir, 'counter.fpga.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(report)));
  });

  it('classifies the primitives of each family', () => {
    expect(['LUT6', 'FDRE', 'CARRY4', 'RAM64M', 'RAMB36E1', 'DSP48E1', 'MUXF7', 'BUFG'].map(FPGA_FAMILIES.xc7.classify)).toEqual([
      'lut', 'flipFlop', 'carry', 'lutRam', 'blockRam', 'dsp', 'mux', 'other',
    ]);
    expect(['SB_LUT4', 'SB_DFFE', 'SB_CARRY', 'SB_RAM40_4K', 'SB_MAC16'].map(FPGA_FAMILIES.ice40.classify)).toEqual([
      'lut', 'flipFlop', 'carry', 'blockRam', 'dsp',
    ]);
  });
});
