/**
 * Where inference time goes, per kernel, before and after compaction (tf.profile wall times):
 * explains why the measured speedup trails the FLOPs reduction on small models.
 *
 *   npx tsx bench/compaction/profile.ts [resnet20|seednet] [removed=0.5] [batch=64]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.js';
import { compactWithPlan, filterPruneGroups, producedBy } from '../../src/graph/index.js';
import { resnet20, seedNet } from '../../src/models/index.js';

const which = process.argv[2] ?? 'resnet20';
const removed = Number(process.argv[3] ?? 0.5);
const batch = Number(process.argv[4] ?? 64);
await initBackend({ backend: 'wasm', threads: 1, announce: false });
const model = which === 'resnet20' ? resnet20({ seed: 0 }) : seedNet({ width: 0.25, seed: 0 });
filterPruneGroups(model, { density: 1 - removed, scope: 'group', include: producedBy('Conv2D') });
const { model: small } = compactWithPlan(model);
const x = tf.randomNormal([batch, 32, 32, 3], 0, 1, 'float32', 1);

async function profile(m: tf.LayersModel, label: string): Promise<void> {
  tf.tidy(() => (m.predict(x) as tf.Tensor).dataSync()); // warm-up
  const byKernel = new Map<string, number>();
  let total = 0;
  const reps = 3;
  for (let r = 0; r < reps; r++) {
    const info = await tf.profile(() => {
      const y = m.predict(x) as tf.Tensor;
      y.dataSync();
      return y;
    });
    // tf.profile lists both the op wrappers ('fusedConv2d__op') and the kernels they run:
    // count the kernels only.
    for (const k of info.kernels.filter((kk) => !kk.name.endsWith('__op'))) {
      const ms = Number(k.kernelTimeMs) || 0;
      byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + ms / reps);
      total += ms / reps;
    }
  }
  console.log(`${label}: ${total.toFixed(1)} ms of kernel time per batch of ${batch}`);
  for (const [name, ms] of [...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 8)) {
    console.log(`  ${name.padEnd(22)} ${ms.toFixed(1).padStart(8)} ms  ${((100 * ms) / total).toFixed(0)}%`);
  }
}
await profile(model, `${which} masked (dense architecture)`);
await profile(small, `${which} compacted, ${removed * 100}% of filters removed`);
