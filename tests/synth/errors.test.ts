import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DesignCheckError, MissingLibertyError, YosysError } from '../../synth/errors.ts';
import { synthesizeArea } from '../../synth/yosys.ts';
import { scratchDir } from './scratch.ts';

function verilogFile(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

const GOOD = 'module ok (input wire a, output wire y);\n  assign y = ~a;\nendmodule\n';

describe('area flow errors', () => {
  it('names the package and make deps when the liberty file is missing', async () => {
    const dir = scratchDir('no-liberty');
    const missing = path.join(dir, 'no-such-library.lib');
    const run = synthesizeArea({ design: 'ok', verilogFiles: [verilogFile(dir, 'ok.v', GOOD)], top: 'ok', workDir: path.join(dir, 'asic'), liberty: missing });
    await expect(run).rejects.toBeInstanceOf(MissingLibertyError);
    await expect(run).rejects.toThrow(/not found: .*no-such-library\.lib[\s\S]*qflow-tech-osu018[\s\S]*make deps/);
    // Nothing ran, so nothing was written.
    expect(fs.existsSync(path.join(dir, 'asic'))).toBe(false);
  });

  it("quotes Yosys's own message and the reproduce command for broken Verilog", async () => {
    const dir = scratchDir('broken');
    const bad = verilogFile(dir, 'bad.v', 'module bad (input wire a, output wire y);\n  assign y = a +;\nendmodule\n');
    const work = path.join(dir, 'asic');
    const error = await synthesizeArea({ design: 'bad', verilogFiles: [bad], top: 'bad', workDir: work }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(YosysError);
    expect(error).not.toBeInstanceOf(DesignCheckError);
    const e = error as YosysError;
    expect(e.yosysMessage).toMatch(/bad\.v:2: ERROR: syntax error/);
    expect(e.message).toContain(e.yosysMessage.split('\n').at(-1)!);
    expect(e.reproduce).toBe(`cd ${path.relative(process.cwd(), work)} && yosys -l yosys.log -s area.ys`);
    // The log the message points at exists and holds the same error.
    expect(fs.readFileSync(path.join(work, 'yosys.log'), 'utf8')).toMatch(/ERROR: syntax error/);
  });

  it('reports a failed check -assert as a design bug with the problems Yosys found', async () => {
    const dir = scratchDir('loop');
    const loop = verilogFile(
      dir,
      'loop.v',
      'module loop (input wire a, output wire y);\n  wire b;\n  wire c;\n  assign b = c & a;\n  assign c = b | a;\n  assign y = c;\nendmodule\n',
    );
    const run = synthesizeArea({ design: 'loop', verilogFiles: [loop], top: 'loop', workDir: path.join(dir, 'asic') });
    await expect(run).rejects.toBeInstanceOf(DesignCheckError);
    await expect(run).rejects.toThrow(/design bug in 'loop'[\s\S]*found logic loop in module loop[\s\S]*check -assert/);
  });
});
