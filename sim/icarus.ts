import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import type { Design } from '../hw/index.ts';
import { CLOCK, RESET } from '../hw/core/names.ts';
import { privateFolder } from '../gen/folders.ts';
import { emitDesign } from '../gen/verilog.ts';
import { requireTool } from '../toolchain/tools.ts';
import { SimulationError, tail } from './verilator/build.ts';
import type { TranscriptEntry } from './verilator/session.ts';

/**
 * Replays a transcript recorded from a Verilator session on Icarus Verilog
 * and returns the values Icarus gives at each peek, in order. Two simulators
 * agreeing on the same stimulus checks the Verilog's meaning, not one
 * simulator's reading of it.
 *
 * Each call works in a folder of its own under `scratchParent`, removed when
 * the replay succeeds and kept (named in the error) when it fails, so runs at
 * the same time never read each other's files.
 */
export async function replayOnIcarus(design: Design, transcript: readonly TranscriptEntry[], scratchParent: string): Promise<bigint[]> {
  const iverilog = await requireTool('iverilog');
  const vvp = await requireTool('vvp');
  fs.mkdirSync(scratchParent, { recursive: true });
  const workDir = privateFolder(scratchParent, design.top.displayName);
  const values = await replayIn(workDir, design, transcript, iverilog, vvp);
  fs.rmSync(workDir, { recursive: true, force: true });
  return values;
}

async function replayIn(workDir: string, design: Design, transcript: readonly TranscriptEntry[], iverilog: string, vvp: string): Promise<bigint[]> {
  const top = design.top;
  const files = emitDesign(design);
  for (const f of files) fs.writeFileSync(path.join(workDir, f.fileName), f.text);

  const width = (name: string): number => {
    const p = top.ports.find((x) => x.name === name);
    if (!p) throw new SimulationError(`transcript names port '${name}', which ${top.displayName} does not have`);
    return p.width;
  };
  const decl = (w: number): string => (w === 1 ? '' : `[${w - 1}:0] `);
  const lines: string[] = ['`timescale 1ns/1ps', 'module replay_tb;'];
  if (top.usesClock) lines.push(`  reg ${CLOCK} = 1'b0;`);
  if (top.usesReset) lines.push(`  reg ${RESET} = 1'b0;`);
  for (const p of top.ports) lines.push(`  ${p.dir === 'in' ? 'reg ' : 'wire'} ${decl(p.width)}${p.name}${p.dir === 'in' ? ` = ${p.width}'d0` : ''};`);
  const conns = [...(top.usesClock ? [CLOCK] : []), ...(top.usesReset ? [RESET] : []), ...top.ports.map((p) => p.name)];
  lines.push(`  ${top.displayName} dut (${conns.map((c) => `.${c}(${c})`).join(', ')});`);
  lines.push(`  task tick; begin ${top.usesClock ? `${CLOCK} = 1'b1; #1; ${CLOCK} = 1'b0; #1;` : '#2;'} end endtask`);
  lines.push('  initial begin', '    #1;');
  for (const e of transcript) {
    switch (e.op) {
      case 'poke':
        lines.push(`    ${e.port} = ${width(e.port)}'h${e.value.toString(16)};`);
        break;
      case 'step':
        lines.push(`    repeat (${e.cycles}) tick;`);
        break;
      case 'reset':
        if (top.usesReset) lines.push(`    ${RESET} = 1'b1; repeat (${e.cycles}) tick; ${RESET} = 1'b0;`);
        break;
      case 'peek':
        lines.push(`    #0.5 $display("%h", ${e.port});`);
        break;
    }
  }
  lines.push('    $finish;', '  end', 'endmodule', '');
  const tb = path.join(workDir, 'replay_tb.v');
  fs.writeFileSync(tb, lines.join('\n'));
  const out = path.join(workDir, 'replay.vvp');
  const args = ['-g2005', '-Wall', '-o', out, tb, ...files.map((f) => path.join(workDir, f.fileName))];
  const c = await execa(iverilog, args, { reject: false, all: true });
  if (c.exitCode !== 0) {
    throw new SimulationError(`Icarus failed to compile ${top.displayName}:\n${tail(c.all ?? '', 30)}\nTo reproduce: iverilog ${args.join(' ')}`);
  }
  const r = await execa(vvp, ['-n', out], { reject: false, all: true });
  if (r.exitCode !== 0) throw new SimulationError(`Icarus simulation failed:\n${tail(r.all ?? '', 30)}\nTo reproduce: vvp -n ${out}`);
  return r.stdout
    .split('\n')
    .filter((l) => /^[0-9a-fxz]+$/i.test(l.trim()))
    .map((l) => {
      if (/[xz]/i.test(l)) throw new SimulationError(`Icarus gives an unknown value '${l.trim()}' at a peek; the design reads state that was never initialised`);
      return BigInt(`0x${l.trim()}`);
    });
}
