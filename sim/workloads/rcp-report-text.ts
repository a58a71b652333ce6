/** Human-readable table of a NetworkRcpReport, one row per layer and pass, then the totals. */
import { TRAINING_PASSES } from '../golden/conv-shape.ts';
import { type NetworkRcpReport, type PassReport, type TotalKey } from './network-rcp.ts';

const PASS_LABEL: Record<TotalKey, string> = { forward: 'fwd', inputGradient: 'dX', weightGradient: 'dW', training: 'all' };

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(2)}%`;
}

function row(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
}

function passCells(p: PassReport): string[] {
  return [String(p.macs), String(p.products), String(p.valid), String(p.redundant), percent(p.rcpFraction), String(p.idealCycles)];
}

export function formatRcpReport(report: NetworkRcpReport): string {
  const header = ['layer', 'pass', 'C', 'K', 'H', 'W', 'R', 'S', 'str', 'pad', 'N', 'MACs', 'products', 'valid', 'RCPs', 'RCP%', `cycles@${report.multipliers}`];
  const rows: string[][] = [];
  for (const layer of report.layers) {
    const s = layer.shape;
    for (const pass of TRAINING_PASSES) {
      rows.push([layer.name, PASS_LABEL[pass], String(s.C), String(s.K), String(s.H), String(s.W), String(s.R), String(s.S), String(s.stride), String(s.padding), String(s.batch), ...passCells(layer.passes[pass])]);
    }
  }
  const totalRows = (Object.keys(report.totals) as TotalKey[]).map((key) => ['TOTAL', PASS_LABEL[key], '', '', '', '', '', '', '', '', '', ...passCells(report.totals[key])]);
  const all = [header, ...rows, ...totalRows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const lines = [
    `network ${report.network} (${report.input}; ${report.source})`,
    `generator ${report.generator}, sparsity ${report.sparsity}, seed ${report.seed}, batch ${report.batch}, multipliers ${report.multipliers}`,
    '',
    row(header, widths),
    ...rows.map((r) => row(r, widths)),
    '',
    ...totalRows.map((r) => row(r, widths)),
  ];
  return lines.join('\n');
}
