import type { FpgaReport } from './fpga.ts';
import type { AreaReport } from './yosys.ts';

/** A plain-text table: first row is the header; columns after the first are right-aligned. */
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]): string => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const mm2 = (um2: number): string => (um2 / 1e6).toFixed(4);

export function areaTable(reports: readonly AreaReport[]): string {
  const rows = [['design', 'std-cell um^2', 'mm^2', 'cells', 'flip-flops', 'memory bits', 'memory est. um^2', 'total est. mm^2', 'mapping', 'yosys s']];
  for (const r of reports) {
    rows.push([
      r.design,
      int(r.areaUm2),
      mm2(r.areaUm2),
      int(r.cellCount),
      int(r.flipFlops),
      int(r.memoryBits),
      int(r.memoryAreaUm2Estimate),
      mm2(r.totalAreaUm2Estimate),
      r.mapping,
      r.wallTimeS.toFixed(1),
    ]);
  }
  return table(rows);
}

export function fpgaTable(reports: readonly FpgaReport[]): string {
  const rows = [['design', 'family', 'LUTs', 'flip-flops', 'carry', 'LUT-RAM', 'block RAMs', 'BRAM kbit', 'DSPs', 'yosys s']];
  for (const r of reports) {
    rows.push([
      r.design,
      r.family,
      int(r.luts),
      int(r.flipFlops),
      int(r.carryCells),
      int(r.lutRamCells),
      int(r.blockRams),
      int(r.blockRamKbits),
      int(r.dsps),
      r.wallTimeS.toFixed(1),
    ]);
  }
  return table(rows);
}

/** The summary file: the tables plus what the numbers are. */
export function summaryText(area: readonly AreaReport[], fpga: readonly FpgaReport[]): string {
  const parts: string[] = [];
  if (area.length) {
    const lib = area[0]!;
    parts.push(
      `Standard-cell area (${lib.libraryName}, ${lib.yosysVersion}); memories are not standard cells:`,
      `"memory est." is an SRAM-macro estimate at ${lib.memoryModel.sramUm2PerBit} um^2/bit (see docs/area.md), "total est." = std-cell + memory est.`,
      '',
      areaTable(area),
    );
  }
  if (fpga.length) parts.push('', 'FPGA resources (Yosys generic flow, flattened, no I/O buffers):', '', fpgaTable(fpga));
  return `${parts.join('\n')}\n`;
}
