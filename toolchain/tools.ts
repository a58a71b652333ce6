// The system tools the flows run (Verilator, Yosys, Icarus) and the standard-cell library: shared by sim/, synth/ and bench/.
import { execa } from 'execa';

/** The system tools the flows call, with the Debian package that provides each. */
export const TOOLS = {
  verilator: 'verilator',
  yosys: 'yosys',
  iverilog: 'iverilog',
  vvp: 'iverilog',
} as const;

export type ToolName = keyof typeof TOOLS;

export const OSU018_LIBERTY = '/usr/share/qflow/tech/osu018/osu018_stdcells.lib';

export class MissingToolError extends Error {
  constructor(what: string, pkg: string) {
    super(`${what} was not found. Install it with 'make deps' (runs: apt-get install ${pkg}), or 'sudo apt-get install ${pkg}'.`);
    this.name = 'MissingToolError';
  }
}

const found = new Map<ToolName, Promise<string>>();

/** Resolves the tool's path, or fails with a message saying what to install. */
export function requireTool(tool: ToolName): Promise<string> {
  let p = found.get(tool);
  if (!p) {
    p = execa('which', [tool], { reject: false }).then((r) => {
      if (r.exitCode !== 0 || !r.stdout.trim()) throw new MissingToolError(`'${tool}'`, TOOLS[tool]);
      return r.stdout.trim();
    });
    found.set(tool, p);
  }
  return p;
}
