import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { designs } from '../../gen/designs.ts';
import { emitDesign } from '../../gen/verilog.ts';
import { writeVerilog } from '../../gen/write.ts';
import { lintVerilog } from '../../toolchain/verilator-files.ts';

const root = path.resolve('build', 'test-acceptance');

/** Every design of the project is lint-clean and accepted by all three tools. */
describe.each(designs.map((d) => [d.name, d] as const))('%s', (name, entry) => {
  const design = entry.elaborate();
  const written = writeVerilog(design, path.join(root, name));
  const files = written.files.map((f) => path.basename(f));

  test('verilator --lint-only -Wall prints nothing', async () => {
    const r = await lintVerilog(written.top, written.files);
    expect(r.output).toBe('');
    expect(r.exitCode).toBe(0);
  });

  test('yosys: hierarchy -check, proc, check -assert', async () => {
    const script = `read_verilog ${files.join(' ')}; hierarchy -check -top ${written.top}; proc; check -assert`;
    const r = await execa('yosys', ['-q', '-p', script], { cwd: written.dir, reject: false, all: true });
    expect(r.all ?? '').not.toMatch(/error|warning/i);
    expect(r.exitCode).toBe(0);
  });

  test('iverilog -g2005 compiles it without warnings', async () => {
    const r = await execa('iverilog', ['-g2005', '-Wall', '-o', '/dev/null', '-s', written.top, ...files], { cwd: written.dir, reject: false, all: true });
    expect(r.all).toBe('');
    expect(r.exitCode).toBe(0);
  });
});

test('emission is deterministic: the same design gives the same text, whatever was elaborated before', () => {
  const first = designs.map((d) => emitDesign(d.elaborate()));
  const again = [...designs].reverse().map((d) => emitDesign(d.elaborate())).reverse();
  expect(again).toEqual(first);
});

test('every emitted declaration names its TypeScript source line', () => {
  for (const d of designs) {
    for (const f of emitDesign(d.elaborate())) {
      const decls = f.text.split('\n').filter((l) => /^\s*(wire|reg)\b/.test(l) || /^\s*(input|output)\s+wire\b/.test(l));
      for (const l of decls) {
        if (/\b(clk|rst),?\s*\/\//.test(l)) continue;
        expect(l, `${f.fileName}: ${l}`).toMatch(/\/\/ .*(\.ts:\d+|port \w+ of \w+)/);
      }
    }
  }
});

test('writing Verilog replaces a folder only once every file is written', () => {
  const dir = path.join(root, 'atomic');
  const design = designs[0]!.elaborate();
  writeVerilog(design, dir);
  const before = fs.readdirSync(dir);
  expect(() => writeVerilog(design, dir, [{ module: 'x', fileName: 'sub/does/not/exist.v', text: '' }])).toThrow();
  expect(fs.readdirSync(dir)).toEqual(before);
});

test('several processes replacing one output folder at once all succeed and leave it whole', async () => {
  const parent = path.join(root, 'concurrent');
  fs.rmSync(parent, { recursive: true, force: true });
  const dir = path.join(parent, 'uart_tx');
  const writers = Array.from({ length: 4 }, () =>
    execa(process.execPath, ['--import', 'tsx', 'tests/gen/fixtures/write-loop.ts', dir, '40'], { reject: false, all: true }),
  );
  for (const r of await Promise.all(writers)) {
    expect(r.all).toBe('');
    expect(r.exitCode).toBe(0);
  }
  const expected = emitDesign(designs.find((d) => d.name === 'uart_tx')!.elaborate());
  expect(fs.readdirSync(dir).sort()).toEqual(expected.map((f) => f.fileName).sort());
  for (const f of expected) expect(fs.readFileSync(path.join(dir, f.fileName), 'utf8')).toBe(f.text);
  // No staging or trash folder is left beside it, and it has the usual permissions.
  expect(fs.readdirSync(parent)).toEqual(['uart_tx']);
  const probe = path.join(parent, 'probe');
  fs.mkdirSync(probe);
  expect(fs.statSync(dir).mode & 0o777).toBe(fs.statSync(probe).mode & 0o777);
});
