/**
 * Vega-Lite specifications rendered to SVG in Node: vega-lite compiles the
 * specification to Vega, Vega renders it headless (no canvas, no browser).
 */
import type { TopLevelSpec } from 'vega-lite';

/** Shared look of every plot: readable in a paper at column width. */
export const PLOT_CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 400 },
  header: { labelFontSize: 12, titleFontSize: 12, labelAngle: 0, labelAlign: 'left' },
  title: { fontSize: 14, anchor: 'start' },
  view: { stroke: '#ccc' },
} as const;

export async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  // Loaded on first use: they take about a second, which a failing command line should not wait for.
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const full = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', config: PLOT_CONFIG, ...spec } as TopLevelSpec;
  const view = new vega.View(vega.parse(compile(full).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
