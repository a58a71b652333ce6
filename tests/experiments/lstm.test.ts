import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LSTM_LAYER, lstmExperiment, lstmOperands, scatterNonZeros, type LstmRun } from '../../sim/experiments/lstm.ts';
import { runExperiment } from '../../sim/experiments/runner.ts';
import { matmulValid } from '../../sim/scnn/training-step.ts';
import { expectReportFiles, readJson, settingsFor, tempDir } from './helpers.ts';

describe('lstm experiment', () => {
  it('moves the non-zeros of the gate gradient without changing them', () => {
    const values = Int32Array.from([0, 3, 0, 0, -2, 7, 0, 1]);
    const moved = scatterNonZeros(values, 9);
    expect([...moved].sort()).toEqual([...values].sort());
    expect(scatterNonZeros(values, 9)).toEqual(moved);
  });

  it('runs the backward pass with dense, structured and unstructured gate gradients on a 2x2 array; report and plot written', async () => {
    const out = tempDir('lstm');
    const settings = settingsFor(lstmExperiment, { sparsities: [0.9], batch: 3, array: { px: 2, py: 2 }, maxProducts: 2_000_000, seed: 4 });
    await runExperiment(lstmExperiment, settings, { outDir: out, argv: [] });
    expectReportFiles(out, ['backward-speedup']);
    const results = readJson(path.join(out, 'results.json'));
    const runs = results.figures.runs as LstmRun[];
    expect(runs.map((r) => `${r.kind}:${r.sparsity}`)).toEqual(['dense:0', 'structured:0.9', 'unstructured:0.9']);

    const { shape, operands } = lstmOperands('structured', 0.9, settings);
    const K = LSTM_LAYER.outChannels;
    // Structured: whole gate columns are zero in every row.
    const zeroColumns = Array.from({ length: K }, (_, k) => [0, 1, 2].every((n) => operands.outputGradients[n * K + k] === 0)).filter(Boolean).length;
    expect(zeroColumns).toBe(Math.round(0.9 * K));
    const unstructured = lstmOperands('unstructured', 0.9, settings).operands.outputGradients;
    expect(unstructured.filter((v) => v !== 0).length).toBe(operands.outputGradients.filter((v) => v !== 0).length);

    // The three runs share one slice of each pass.
    for (const r of runs) expect(r.passes.map((p) => p.sample)).toEqual(runs[0]!.passes.map((p) => p.sample));
    for (const r of runs) {
      const o = lstmOperands(r.kind, r.sparsity, settings);
      for (const p of r.passes) {
        // Sampled along C only (rows and gate columns whole): with x, h and W dense, valid products scale exactly.
        expect(p.sample.batch.count).toBe(3);
        expect(p.sample.K.count).toBe(K);
        expect(p.golden.valid).toBe(matmulValid(shape, p.pass, o.operands));
        expect(p.byMode.element!.validProducts).toBeCloseTo(p.golden.valid, 2);
      }
    }
    const cycles = (r: LstmRun) => r.passes.reduce((s, p) => s + p.byMode.element!.cycles, 0);
    expect(results.figures.points[0].speedupStructured).toBeCloseTo(cycles(runs[0]!) / cycles(runs[1]!), 12);
    expect(results.figures.points[0].structuredOverUnstructured).toBeCloseTo(cycles(runs[2]!) / cycles(runs[1]!), 12);
    expect(results.comparisons[0].published).toBe('up to 45%');
  });
});
