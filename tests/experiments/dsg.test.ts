import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { outputHeight, outputWidth, TRAINING_PASSES, type ConvShape } from '../../sim/golden/conv-shape.ts';
import { Rng } from '../../sim/golden/random.ts';
import { countRcpDense, countRcpFast } from '../../sim/golden/rcp-count.ts';
import { dsgExperiment, forwardSelectedProducts, keepRatio, projectionOperations } from '../../sim/experiments/dsg.ts';
import { runExperiment } from '../../sim/experiments/runner.ts';
import { arrayOf } from '../../sim/experiments/array-experiments.ts';
import { modelEngine } from '../../sim/experiments/engine.ts';
import { synthesizeLayer } from '../../sim/scnn/training-step.ts';
import { toConvShape } from '../../sim/workloads/layer-table.ts';
import { getNetwork } from '../../sim/workloads/networks/index.ts';
import { getGenerator } from '../../sim/workloads/sparsity/generators.ts';
import { expectReportFiles, readJson, settingsFor, tempDir } from './helpers.ts';

/** Direct count: every selected output neuron times every (c, r, s) tap whose input and weight are non-zero. */
function forwardSelectedDirect(shape: ConvShape, x: Int32Array, w: Int32Array, selected: Uint8Array): number {
  const { batch: N, inChannels: C, outChannels: K, height: H, width: W, kernelHeight: R, kernelWidth: S, stride, padding } = shape;
  const E = outputHeight(shape);
  const F = outputWidth(shape);
  let count = 0;
  for (let n = 0; n < N; n++)
    for (let k = 0; k < K; k++)
      for (let e = 0; e < E; e++)
        for (let f = 0; f < F; f++) {
          if (!selected[((n * K + k) * E + e) * F + f]) continue;
          for (let c = 0; c < C; c++)
            for (let r = 0; r < R; r++)
              for (let s = 0; s < S; s++) {
                const h = e * stride + r - padding;
                const v = f * stride + s - padding;
                if (h < 0 || h >= H || v < 0 || v >= W) continue;
                if (x[((n * C + c) * H + h) * W + v] !== 0 && w[((k * C + c) * R + r) * S + s] !== 0) count++;
              }
        }
  return count;
}

describe('dsg experiment', () => {
  it('counts the forward products of selected neurons as a direct count does', () => {
    const rng = new Rng(3);
    for (const stride of [1, 2]) {
      const shape: ConvShape = { batch: 2, inChannels: 3, outChannels: 5, height: 7, width: 6, kernelHeight: 3, kernelWidth: 3, stride, padding: 1 };
      const x = Int32Array.from({ length: 2 * 3 * 7 * 6 }, () => (rng.nextFloat() < 0.4 ? 1 : 0));
      const w = Int32Array.from({ length: 5 * 3 * 9 }, () => 1 + Math.floor(rng.nextFloat() * 5));
      const sel = Uint8Array.from({ length: 2 * 5 * outputHeight(shape) * outputWidth(shape) }, () => (rng.nextFloat() < 0.3 ? 1 : 0));
      expect(forwardSelectedProducts(shape, x, w, sel)).toBe(forwardSelectedDirect(shape, x, w, sel));
    }
  });

  it('states the projection cost model in numbers', () => {
    const shape: ConvShape = { batch: 2, inChannels: 4, outChannels: 8, height: 5, width: 5, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1 };
    // 50 patches + 8 filters, each 36 long, times 16/3; then 50 positions x 8 neurons x 16.
    expect(projectionOperations(shape)).toBe(Math.round((58 * 36 * 16) / 3) + 50 * 8 * 16);
  });

  it('reports operation reductions from the golden counters and cycles from the array on dsg operands, with report and plot', async () => {
    const out = tempDir('dsg');
    // The first layer (the dense input image) and the FC layer (matrix mode): the smallest dense runs of the table.
    const layers = [0, 13];
    const settings = settingsFor(dsgExperiment, { nets: [{ name: 'vgg16', input: 'cifar' }], sparsities: [0.5, 0.8], batch: 1, seed: 3, layers, maxProducts: null });
    // The dense baseline runs once, not once per sparsity.
    expect(dsgExperiment.workUnits(settings)).toHaveLength(3 * layers.length);
    await runExperiment(dsgExperiment, settings, { outDir: out, argv: [] });
    expectReportFiles(out, ['operation-reduction']);
    const results = readJson(path.join(out, 'results.json'));
    const table = getNetwork('vgg16', 'cifar');
    const array = arrayOf(settings);
    const stepCycles = async (index: number, sparsity: number) => {
      const { shape, operands } = synthesizeLayer(table.layers[index]!, index, { batch: 1, sparsity, generator: 'dsg', seed: 3 });
      let cycles = 0;
      for (const pass of TRAINING_PASSES) {
        const r = await modelEngine.run({ array, work: { kind: 'conv', shape, pass, operands }, modes: ['element'], label: 'check' });
        cycles += r.byMode.element!.cycles;
      }
      return cycles;
    };
    for (const sparsity of [0.5, 0.8]) {
      let dense = 0;
      let sparse = 0;
      for (const index of layers) {
        const layer = table.layers[index]!;
        const shape = toConvShape(layer, 1);
        const d = countRcpDense(shape);
        dense += TRAINING_PASSES.reduce((s, p) => s + d[p].valid, 0);
        const workload = getGenerator('dsg').synthesize(shape, { sparsity, seed: 3, layerName: layer.name, networkInput: index === 0 });
        const c = countRcpFast(shape, workload);
        sparse += TRAINING_PASSES.reduce((s, p) => s + c[p].valid, 0);
        const row = readUnitRow(out, sparsity, layer.name);
        expect(row.inputSparseOps).toBe(TRAINING_PASSES.reduce((s, p) => s + c[p].valid, 0));
        expect(row.dsgOps).toBe(forwardSelectedProducts(shape, workload.activations, workload.weights, workload.outputActivationMask!) + c.inputGradient.valid + c.weightGradient.valid);
        // The network's input image is dense whatever the keep ratio; deeper inputs are DSG-selected.
        if (index === 0) expect(row.activationDensity).toBe(1);
        else expect(row.activationDensity).toBeLessThan(1);
        if (index === 0) {
          expect(row.dsgCycles).toBe(await stepCycles(index, sparsity));
          expect(row.denseCycles).toBe(await stepCycles(index, 0));
        }
      }
      const run = results.figures.runs.find((r: any) => r.sparsity === sparsity);
      expect(run.denseOps).toBe(dense);
      expect(run.inputSparseOps).toBe(sparse);
      expect(run.reductionInputSparse).toBe(dense / sparse);
      expect(run.reductionDsg).toBeGreaterThan(run.reductionInputSparse);
      expect(run.reductionDsgWithProjection).toBeLessThan(run.reductionDsg);
      expect(run.sampledPasses).toBe(0);
      expect(run.cycleSpeedup).toBe(run.denseCycles / run.dsgCycles);
      expect(run.cycleSpeedup).toBeGreaterThan(1);
    }
    expect(results.figures.runs).toHaveLength(2);
    // Keeping fewer neurons removes more operations.
    const [keepHalf, keepFifth] = results.figures.runs;
    expect(keepFifth.reductionDsgWithProjection).toBeGreaterThan(keepHalf.reductionDsgWithProjection);
    expect(keepFifth.cycleSpeedup).toBeGreaterThan(keepHalf.cycleSpeedup);
    expect(fs.readFileSync(path.join(out, 'summary.md'), 'utf8')).toContain('2.3–4.4×');
  });
});

function readUnitRow(out: string, sparsity: number, layer: string): any {
  const csv = fs.readFileSync(path.join(out, 'results.csv'), 'utf8').trim().split('\n');
  const header = csv[0]!.split(',');
  const rows = csv.slice(1).map((line) => Object.fromEntries(line.split(',').map((v, i) => [header[i], v])));
  const row = rows.find((r) => Number(r.keep) === keepRatio(sparsity) && r.layer === layer)!;
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, k === 'layer' || k === 'network' || k === 'input' ? v : Number(v)]));
}
