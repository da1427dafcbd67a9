import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.js';
import { filterPruneGroups } from '../../src/graph/index.js';
import { seedNet } from '../../src/models/index.js';
import { flops, params, throughput } from '../../src/objectives/index.js';

/**
 * What the throughput objective reports for filter-pruned, compacted seedNet (CIFAR-10 shape,
 * width 0.25, seeded random weights: speed does not depend on the values), every group pruned to
 * the same filter density (scope 'group'), at several densities:
 * `npx tsx bench/search/throughput.ts`. Shows how the measured objective responds to the
 * sparsity the search picks, on the default (wasm) backend.
 */
const backend = await initBackend({ announce: false });
const ips = throughput({ batchSize: 64, warmup: 3, repeats: 15, compact: true });
console.log(`backend ${backend}; throughput(bs=64, median of 15, compacted)\n`);
console.log('| filter density | MFLOPs | params | images/s | speed-up |');
console.log('|---|---|---|---|---|');
let dense = 0;
for (const density of [1, 0.75, 0.5, 0.35, 0.25]) {
  const model = seedNet({ width: 0.25, seed: 1 });
  if (density < 1) filterPruneGroups(model, { density, scope: 'group' });
  const f = await flops({ compact: true }).measure(model);
  const p = await params({ compact: true }).measure(model);
  const t = await ips.measure(model);
  if (density === 1) dense = t;
  console.log(
    `| ${density} | ${(f / 1e6).toFixed(1)} | ${p} | ${t.toFixed(0)} | ${(t / dense).toFixed(2)}x |`,
  );
  model.dispose();
}
console.log(`\ntensors left: ${tf.memory().numTensors}`);
