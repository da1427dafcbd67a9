/**
 * Where inference time goes, per kernel, before and after compaction and folding: tf.profile's
 * kernel wall times, the number of kernel calls, and the JS time around them (wall time of the
 * predict call minus kernel time: layer dispatch, tensor bookkeeping). Explains why the measured
 * speedup trails the FLOPs cut on small models and at batch 1.
 *
 *   npx tsx bench/compaction/profile.ts [resnet20|seednet] [removed=0.5] [batch=1] [threads=1]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.js';
import { compactWithPlan, filterPruneGroups, foldForInference, producedBy } from '../../src/graph/index.js';
import { resnet20, seedNet } from '../../src/models/index.js';

const which = process.argv[2] ?? 'resnet20';
const removed = Number(process.argv[3] ?? 0.5);
const batch = Number(process.argv[4] ?? 1);
const threads = Number(process.argv[5] ?? 1);
await initBackend({ backend: 'wasm', threads, announce: false });
const model = which === 'resnet20' ? resnet20({ seed: 0 }) : seedNet({ width: 0.25, seed: 0 });
filterPruneGroups(model, { density: 1 - removed, scope: 'group', include: producedBy('Conv2D') });
const { model: small } = compactWithPlan(model);
const folded = foldForInference(small).model;
const x = tf.randomNormal([batch, 32, 32, 3], 0, 1, 'float32', 1);

async function profile(m: tf.LayersModel, label: string): Promise<void> {
  for (let i = 0; i < 3; i++) tf.tidy(() => (m.predict(x) as tf.Tensor).dataSync()); // warm-up
  const byKernel = new Map<string, { ms: number; calls: number }>();
  let kernelMs = 0;
  let wallMs = 0;
  let calls = 0;
  const reps = batch === 1 ? 20 : 3;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    const info = await tf.profile(() => {
      const y = m.predict(x) as tf.Tensor;
      y.dataSync();
      return y;
    });
    wallMs += (performance.now() - t0) / reps;
    // tf.profile lists both the op wrappers ('fusedConv2d__op') and the kernels they run:
    // count the kernels only.
    for (const k of info.kernels.filter((kk) => !kk.name.endsWith('__op'))) {
      const ms = Number(k.kernelTimeMs) || 0;
      const entry = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
      entry.ms += ms / reps;
      entry.calls += 1 / reps;
      byKernel.set(k.name, entry);
      kernelMs += ms / reps;
      calls += 1 / reps;
    }
  }
  // Plain predict wall time (tf.profile adds its own bookkeeping per kernel).
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) tf.tidy(() => (m.predict(x) as tf.Tensor).dataSync());
  const plainMs = (performance.now() - t0) / reps;
  console.log(
    `${label}: predict ${plainMs.toFixed(2)} ms per batch of ${batch}; under tf.profile ${wallMs.toFixed(2)} ms, ` +
      `of which kernels ${kernelMs.toFixed(2)} ms in ${calls.toFixed(0)} calls (${(plainMs - kernelMs).toFixed(2)} ms outside kernels in plain predict)`,
  );
  for (const [name, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 8)) {
    console.log(
      `  ${name.padEnd(22)} ${e.ms.toFixed(2).padStart(8)} ms ${e.calls.toFixed(0).padStart(4)} calls  ${((100 * e.ms) / kernelMs).toFixed(0)}%`,
    );
  }
}
await profile(model, `${which} masked (dense architecture)`);
await profile(small, `${which} compacted, ${removed * 100}% of filters removed`);
await profile(folded, `${which} compacted and folded`);
