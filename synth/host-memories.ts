import fs from 'node:fs';
import path from 'node:path';

/**
 * Memories of module `top` that only a testbench writes (the language's
 * `testbenchAccess` memories with no write in the design): the emitter ties
 * their write port to constants, so Yosys would delete them as constant and
 * fold away the logic that reads them. On a chip a host or DMA port loads them;
 * the synthesis scripts make that port real by turning the tied write-port wires
 * into inputs of the top (`expose -input`), so the memory and its readers stay.
 */
export function hostLoadedMemories(verilogFiles: readonly string[], top: string): string[] {
  const file = verilogFiles.find((f) => path.basename(f) === `${top}.v`) ?? verilogFiles.find((f) => new RegExp(`^\\s*module\\s+${top}\\b`, 'm').test(fs.readFileSync(f, 'utf8')));
  return file ? memoriesOf(fs.readFileSync(file, 'utf8')) : [];
}

/** The same memories of the other modules: after `flatten` their wires sit in the top, prefixed by instance paths. */
export function childHostLoadedMemories(verilogFiles: readonly string[], top: string): string[] {
  const children = verilogFiles.filter((f) => path.basename(f) !== `${top}.v`);
  return [...new Set(children.flatMap((f) => memoriesOf(fs.readFileSync(f, 'utf8'))))];
}

function memoriesOf(text: string): string[] {
  const testbenchMemories = new Set([...text.matchAll(/^\s*reg\s+(?:\[[^\]]*\]\s*)?(\w+)\s*\[[^\]]*\]\s*\/\* verilator public_flat_rw \*\//gm)].map((m) => m[1]!));
  return [...text.matchAll(/^\s*assign\s+(\w+)_we\s*=\s*1'b0;/gm)].map((m) => m[1]!).filter((name) => testbenchMemories.has(name));
}

/**
 * The Yosys command that gives those memories a write port from the top's
 * inputs (none when there are none); `inChildren` selects the flattened wires
 * of child instances' memories (`<instance path>.<memory>_we`).
 */
export function exposeHostPorts(top: string, memories: readonly string[], inChildren = false): string[] {
  if (memories.length === 0) return [];
  const wires = memories.flatMap((m) => ['we', 'waddr', 'wdata'].map((p) => `${top}/w:${inChildren ? '*.' : ''}${m}_${p}`));
  return ["# Memories only a testbench writes get their write port from the top's inputs (synth/host-memories.ts).", `expose -input ${wires.join(' ')}`];
}
