import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { elaborate, type Design } from '../../hw/index.ts';
import { emitDesign } from '../../gen/verilog.ts';
import { writeVerilog } from '../../gen/write.ts';
import { Counter, writeCounter } from '../../docs/tutorial/01-counter.ts';
import { Widths } from '../../docs/tutorial/02-widths.ts';
import { NextValue } from '../../docs/tutorial/03-when.ts';
import { Streams } from '../../docs/tutorial/04-streams.ts';
import { Sequencer } from '../../docs/tutorial/05-state-machine.ts';
import { Store } from '../../docs/tutorial/06-memory.ts';
import { Buffered } from '../../docs/tutorial/07-hierarchy.ts';
import { simulateCounter } from '../../docs/tutorial/08-simulate.ts';
import { lintVerilog } from '../../toolchain/verilator-files.ts';

// The tutorial of docs/language.md as code: every file elaborates to
// lint-clean Verilog, the simulation snippet runs, and every ```ts block of
// the tutorial is a verbatim excerpt of the file it names.

const designs: [string, () => Design][] = [
  ['01-counter', () => elaborate(Counter, { width: 8 })],
  ['02-widths', () => elaborate(Widths, {})],
  ['03-when', () => elaborate(NextValue, {})],
  ['04-streams', () => elaborate(Streams, { width: 16 })],
  ['05-state-machine', () => elaborate(Sequencer, {})],
  ['06-memory', () => elaborate(Store, {})],
  ['07-hierarchy', () => elaborate(Buffered, {})],
];

describe('the tutorial as code', () => {
  test.each(designs)('%s elaborates to Verilog that passes verilator --lint-only -Wall', async (_name, make) => {
    const design = make();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tutorial-'));
    const written = writeVerilog(design, path.join(dir, 'rtl'), emitDesign(design));
    const r = await lintVerilog(written.top, written.files);
    fs.rmSync(dir, { recursive: true, force: true });
    expect(r.output).toBe('');
    expect(r.exitCode).toBe(0);
  });

  test('01: writeCounter() writes the counter', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tutorial-'));
    const written = writeCounter(path.join(dir, 'counter'));
    expect(fs.readFileSync(written.files[0]!, 'utf8')).toContain('module Counter_width8 (');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('08: the simulation snippet runs', async () => {
    await simulateCounter();
  });

  test('every code block of the tutorial is taken from its file', () => {
    const doc = fs.readFileSync('docs/language.md', 'utf8');
    const blocks = [...doc.matchAll(/<!-- from (docs\/tutorial\/[\w.-]+) -->\n```ts\n([\s\S]*?)```/g)];
    expect(blocks.length).toBeGreaterThanOrEqual(8);
    for (const [, file, code] of blocks) {
      const text = fs.readFileSync(file!, 'utf8');
      for (const line of code!.trimEnd().split('\n')) expect(text, `${file}: ${line}`).toContain(line);
    }
  });
});
