// Figures for the golden models: the RCP fractions of ResNet-18 (CIFAR) at 90%
// sparsity per generator, and the time the golden model takes for one layer.
// Prints a table and writes build/reports/golden.json.
import fs from 'node:fs';
import { convForwardOuterProduct, convInputGradientOuterProduct, convWeightGradientOuterProduct } from '../sim/golden/conv-outer-product.ts';
import { countRcpFast } from '../sim/golden/rcp-count.ts';
import { toConvShape } from '../sim/workloads/layer-table.ts';
import { runNetworkRcp, SCNN_MULTIPLIERS } from '../sim/workloads/network-rcp.ts';
import { getNetwork } from '../sim/workloads/networks/index.ts';
import { getGenerator } from '../sim/workloads/sparsity/generators.ts';

const SEED = 1;
const BATCH = 4;
const SPARSITY = 0.9;
const net = getNetwork('resnet18', 'cifar');

const fractions: Record<string, { weightGradient: number; training: number; ms: number }> = {};
for (const generator of ['uniform', 'topk', 'relu', 'dsg']) {
  const t0 = performance.now();
  const r = runNetworkRcp(net, { sparsity: SPARSITY, generator, seed: SEED, batch: BATCH, multipliers: SCNN_MULTIPLIERS });
  fractions[generator] = { weightGradient: r.totals.weightGradient.rcpFraction, training: r.totals.training.rcpFraction, ms: Math.round(performance.now() - t0) };
}

const layer = net.layers.find((l) => l.name === 'layer1.0.conv1')!;
const shape = toConvShape(layer, BATCH);
const ops = getGenerator('uniform').synthesize(shape, { sparsity: SPARSITY, seed: SEED, layerName: layer.name });
const options = { onOverflow: 'wrap' as const };
let t0 = performance.now();
const fwd = convForwardOuterProduct(shape, ops.activations, ops.weights, options);
const dx = convInputGradientOuterProduct(shape, ops.outputGradients, ops.weights, options);
const dw = convWeightGradientOuterProduct(shape, ops.activations, ops.outputGradients, options);
const outerMs = performance.now() - t0;
t0 = performance.now();
const fast = countRcpFast(shape, ops);
const fastMs = performance.now() - t0;
const agree = fast.weightGradient.valid === dw.counts.valid && fast.forward.valid === fwd.counts.valid && fast.inputGradient.valid === dx.counts.valid;

const report = {
  seed: SEED, batch: BATCH, sparsity: SPARSITY, network: 'resnet18 (cifar)',
  rcpFractions: fractions,
  oneLayer: {
    layer: layer.name, shape, generator: 'uniform',
    outerProductAllPassesMs: Math.round(outerMs), fastCounterMs: Math.round(fastMs), countsAgree: agree,
    products: { fwd: fwd.counts.products, dX: dx.counts.products, dW: dw.counts.products },
    valid: { fwd: fwd.counts.valid, dX: dx.counts.valid, dW: dw.counts.valid },
  },
};
console.log(`ResNet-18 (CIFAR), ${SPARSITY * 100}% sparse, batch ${BATCH}, seed ${SEED}:`);
console.log('generator  weight-gradient RCP  whole-training RCP  time');
for (const [g, f] of Object.entries(fractions)) {
  console.log(`${g.padEnd(10)} ${(f.weightGradient * 100).toFixed(2).padStart(18)}% ${(f.training * 100).toFixed(2).padStart(18)}%  ${(f.ms / 1000).toFixed(1)} s`);
}
console.log(`One layer (${layer.name}, C=K=64, 32x32, 3x3, uniform): outer-product golden model, all three passes, ${(outerMs / 1000).toFixed(2)} s; fast RCP counter ${(fastMs / 1000).toFixed(2)} s; counts agree: ${agree}`);
fs.mkdirSync('build/reports', { recursive: true });
fs.writeFileSync('build/reports/golden.json', JSON.stringify(report, null, 2) + '\n');
console.log('written build/reports/golden.json');
