import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OSU018_LIBERTY } from '../../toolchain/tools.ts';
import { mux2, plainFlipFlop, readLiberty } from '../../synth/liberty.ts';
import { flipFlopArrayAreaUm2, memoryModel, sramAreaUm2, SRAM_UM2_PER_BIT } from '../../synth/memory-model.ts';
import { scratchDir } from './scratch.ts';

describe('liberty reader', () => {
  it('reads areas and sequential cells of the OSU 0.18 um library', () => {
    const lib = readLiberty(OSU018_LIBERTY);
    expect(lib.name).toBe('osu018_stdcells');
    expect(lib.cells.get('DFFPOSX1')).toMatchObject({ area: 96, sequential: 'flip-flop', hasSetReset: false });
    expect(lib.cells.get('DFFSR')).toMatchObject({ sequential: 'flip-flop', hasSetReset: true });
    expect(lib.cells.get('LATCH')?.sequential).toBe('latch');
    expect(lib.cells.get('NAND2X1')).toMatchObject({ area: 24, sequential: null });
    expect(plainFlipFlop(lib).name).toBe('DFFPOSX1');
    expect(mux2(lib).name).toBe('MUX2X1');
  });

  it('copes with comments, continuations, quoted values and a missing semicolon', () => {
    const file = path.join(scratchDir('liberty'), 'tiny.lib');
    fs.writeFileSync(
      file,
      [
        '/* header */ library (tiny) {',
        '  time_unit : "1ns" ;',
        '  cell (INV) { area : 2.5 ; pin (A) { direction : input ; } pin (Y) { function : "!A" ; direction : output ; } }',
        '  cell (DFFN) { area : 10',
        '    ff (IQ, IQN) { next_state : "D" ; clocked_on : "(!CLK)" ; }',
        '    values ("1, 2", \\',
        '            "3, 4") ;',
        '  }',
        '  cell (DFF) { area : 12 ; ff (IQ, IQN) { next_state : "D" ; clocked_on : "CLK" ; } }',
        '}',
      ].join('\n'),
    );
    const lib = readLiberty(file);
    expect([...lib.cells.keys()]).toEqual(['INV', 'DFFN', 'DFF']);
    expect(lib.cells.get('INV')!.area).toBe(2.5);
    expect(lib.cells.get('DFFN')).toMatchObject({ area: 10, sequential: 'flip-flop', clockedOn: '(!CLK)' });
    // DFFN is smaller but negative-edge: a memory's storage is the positive-edge DFF.
    expect(plainFlipFlop(lib).name).toBe('DFF');
    expect(() => mux2(lib)).toThrow(/needs a 2:1 multiplexer/);
  });
});

describe('memory model', () => {
  const model = memoryModel(readLiberty(OSU018_LIBERTY));
  const shape = { depth: 16, width: 8, readPorts: 1, writePorts: 1 };

  it('estimates an SRAM macro at the stated density, one copy per read port', () => {
    expect(model.sramUm2PerBit).toBe(SRAM_UM2_PER_BIT);
    expect(sramAreaUm2(model, shape)).toBe(128 * SRAM_UM2_PER_BIT);
    expect(sramAreaUm2(model, { ...shape, readPorts: 2 })).toBe(2 * 128 * SRAM_UM2_PER_BIT);
  });

  it('bounds a flip-flop array by storage, read muxes and read registers', () => {
    // 128 x (DFF 96 + MUX2 48) + 8 x 15 x MUX2 48 + 8 x DFF 96
    expect(flipFlopArrayAreaUm2(model, shape)).toBe(128 * 144 + 8 * 15 * 48 + 8 * 96);
  });
});
