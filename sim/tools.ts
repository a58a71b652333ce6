// The tool lookup lives in toolchain/tools.ts (shared by sim/ and synth/);
// this re-export serves sim/verilator/build.ts until its import moves too.
export { MissingToolError, OSU018_LIBERTY, requireTool, TOOLS, type ToolName } from '../toolchain/tools.ts';
