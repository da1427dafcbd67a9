/**
 * Per-kernel profile of one zoo model (test/zoo), group-pruned at 50%, masked and masked then
 * folded for inference (`foldForInference`): time and call count per tfjs kernel of one
 * `predict` at the given batch, after a warm-up pass (the first pass pays kernel setup), wasm
 * with 1 thread. Shows which kernels folding adds or removes where the zoo table's folded
 * "before" is slower than the unfolded one.
 *
 *   npx tsx bench/compaction/zoo-profile.ts 'MobileNet v1' 64
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.js';
import { filterPruneGroups, foldForInference } from '../../src/graph/index.js';
import { zoo } from '../../test/zoo/index.js';

const [name = 'MobileNet v1', batchArg = '64'] = process.argv.slice(2);
const entry = zoo.find((z) => z.name === name);
if (!entry) throw new Error(`no zoo model '${name}'; one of: ${zoo.map((z) => z.name).join(', ')}`);
await initBackend({ backend: 'wasm', threads: 1, announce: false });
const masked = entry.build();
filterPruneGroups(masked, { density: 0.5 });
const folded = foldForInference(masked).model;
const x = entry.input(Number(batchArg));

/** { kernel: [ms, calls] } of one predict + read-back. */
async function kernels(model: tf.LayersModel): Promise<Record<string, [number, number]>> {
  const info = await tf.profile(() => {
    const y = model.predict(x) as tf.Tensor;
    y.dataSync();
    return y;
  });
  const by: Record<string, [number, number]> = {};
  // Fused ops are listed twice (the op wrapper `…__op` and its kernel): keep the kernel.
  for (const k of info.kernels.filter((k) => !k.name.endsWith('__op'))) {
    const entry = (by[k.name] ??= [0, 0]);
    entry[0] += Number(k.kernelTimeMs) || 0;
    entry[1]++;
  }
  return by;
}

for (const [label, model] of [
  ['masked', masked],
  ['masked+folded', folded],
] as const) {
  await kernels(model); // warm-up
  const by = await kernels(model);
  const total = Object.values(by).reduce((s, [ms]) => s + ms, 0);
  const parts = Object.entries(by)
    .sort((a, b) => b[1][0] - a[1][0])
    .map(([k, [ms, n]]) => `${k} ${ms.toFixed(2)} ms/${n}`);
  console.log(`${name} b${batchArg} ${label}: kernels ${total.toFixed(2)} ms: ${parts.join(', ')}`);
}
x.dispose();
