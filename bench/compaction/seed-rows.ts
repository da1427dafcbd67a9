/**
 * The seed's two structured rows ("after modifying the architectures") redone with real
 * compaction: random structured and L1 structured pruning of 41.479% of conv1's filters
 * (`prune.randomStructured` / `prune.lnStructured(n = 1)`, weights only, as the seed did) on the
 * pretrained seednet-0.25, then `compact`. Reports test accuracy, total test-set inference time
 * and saved model size, before and after compaction.
 *
 *   npx tsx bench/compaction/seed-rows.ts [--batch 500] [--repeats 3] [--model-dir DIR]
 *
 * --model-dir loads a saved seedNet (src/io layout) instead of the committed pretrained one.
 */
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, wasmThreadCount } from '../../src/backend/index.js';
import { CIFAR10_MEAN, CIFAR10_STD, loadCifar10, toTensors } from '../../src/data/index.js';
import { compactWithPlan, countFlops } from '../../src/graph/index.js';
import { loadModel, saveModel } from '../../src/io/index.js';
import { loadPretrained } from '../../src/models/index.js';
import { clearPruning, prune } from '../../src/pruning/index.js';

const arg = (name: string, d: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : d;
};
const batch = arg('batch', 500);
const repeats = arg('repeats', 3);
const AMOUNT = 0.41479;
const dirIndex = process.argv.indexOf('--model-dir');
const modelDir = dirIndex >= 0 ? process.argv[dirIndex + 1] : undefined;
const loadSubject = (): Promise<tf.LayersModel> =>
  modelDir ? loadModel(modelDir) : loadPretrained('seednet-0.25-cifar10');

await initBackend({ backend: 'wasm', announce: false });
const uptimeBefore = execFileSync('uptime').toString().trim();
const cifar = await loadCifar10();
const { xs, ys } = toTensors(cifar.test, {
  normalize: 'standard',
  mean: CIFAR10_MEAN,
  std: CIFAR10_STD,
  numClasses: 10,
});
const labels = tf.tidy(() => ys.argMax(1).dataSync() as Int32Array);
ys.dispose();
const n = xs.shape[0];
const batches = Array.from({ length: Math.ceil(n / batch) }, (_, i) =>
  xs.slice([i * batch, 0, 0, 0], [Math.min(batch, n - i * batch), 32, 32, 3]),
);

/** Predicted classes of the whole test set (one pass). */
function predictAll(model: tf.LayersModel): Int32Array {
  const out = new Int32Array(n);
  let k = 0;
  for (const b of batches) {
    const p = tf.tidy(() => (model.predict(b) as tf.Tensor).argMax(1).dataSync() as Int32Array);
    out.set(p, k);
    k += p.length;
  }
  return out;
}

const accuracy = (pred: Int32Array): number => pred.reduce((s, p, i) => s + (p === labels[i] ? 1 : 0), 0) / n;

/**
 * Median total test-set inference time (ms) of two models measured in alternation, and each
 * model's predictions (from its first pass).
 */
function pairedPasses(
  a: tf.LayersModel,
  b: tf.LayersModel,
): { ms: [number, number]; pred: [Int32Array, Int32Array] } {
  tf.tidy(() => (a.predict(batches[0]) as tf.Tensor).dataSync()); // warm-up
  tf.tidy(() => (b.predict(batches[0]) as tf.Tensor).dataSync());
  const ta: number[] = [];
  const tb: number[] = [];
  const pred: Int32Array[] = [];
  for (let r = 0; r < repeats; r++) {
    for (const [m, times] of [
      [a, ta],
      [b, tb],
    ] as const) {
      const t0 = performance.now();
      const p = predictAll(m);
      times.push(performance.now() - t0);
      if (r === 0) pred.push(p);
    }
  }
  const median = (t: number[]) => t.sort((p, q) => p - q)[Math.floor(t.length / 2)];
  return { ms: [median(ta), median(tb)], pred: [pred[0], pred[1]] };
}

/** Bytes on disk of the model saved as standard model.json + weights.bin. */
async function savedBytes(model: tf.LayersModel): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'condensa-seedrows-'));
  try {
    await saveModel(model, join(dir, 'm'));
    let total = 0;
    for (const f of await readdir(join(dir, 'm'))) {
      if (f === 'record.json') continue; // our sidecar, not part of the tfjs model
      total += (await stat(join(dir, 'm', f))).size;
    }
    return total;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const variants: Array<{ name: string; apply: (m: tf.LayersModel) => void }> = [
  { name: 'unpruned', apply: () => {} },
  {
    name: 'random structured (41.479% of conv1 filters, seed 0)',
    apply: (m) => prune.randomStructured(m.getLayer('conv1'), 'kernel', AMOUNT, 'out', { seed: 0 }),
  },
  {
    name: 'L1 structured (41.479% of conv1 filters)',
    apply: (m) => prune.lnStructured(m.getLayer('conv1'), 'kernel', AMOUNT, 1, 'out'),
  },
];

const lines = [
  `Model: ${modelDir ?? 'pretrained seednet-0.25-cifar10'}. Run ${new Date().toISOString()}, wasm ${wasmThreadCount()} thread(s), ${cpus().length} cores, batch ${batch}, ` +
    `median of ${repeats} passes over the ${n} CIFAR-10 test images. Load before: \`${uptimeBefore}\`.`,
  '',
  '| variant | acc. masked | acc. compacted | conv1 filters | test inference ms: masked -> compacted | size MB: masked -> compacted | MFLOPs/img: masked -> compacted | max rel. err |',
  '|---|---|---|---|---|---|---|---|',
];
for (const v of variants) {
  const model = await loadSubject();
  v.apply(model);
  const { model: small } = compactWithPlan(model);
  const err = tf.tidy(() => {
    const a = model.predict(batches[0]) as tf.Tensor;
    const b = small.predict(batches[0]) as tf.Tensor;
    return a.sub(b).abs().max().div(a.abs().max()).dataSync()[0];
  });
  const {
    ms: [msMasked, msSmall],
    pred: [predMasked, predSmall],
  } = pairedPasses(model, small);
  const [bytesMasked, bytesSmall] = [await savedBytes(model), await savedBytes(small)];
  const filters = `${model.getLayer('conv1').weights[0].shape[3]} -> ${small.getLayer('conv1').weights[0].shape[3]}`;
  lines.push(
    `| ${v.name} | ${(accuracy(predMasked) * 100).toFixed(2)}% | ${(accuracy(predSmall) * 100).toFixed(2)}% | ${filters} | ` +
      `${msMasked.toFixed(0)} -> ${msSmall.toFixed(0)} | ${(bytesMasked / 1e6).toFixed(3)} -> ${(bytesSmall / 1e6).toFixed(3)} | ` +
      `${(countFlops(model).total / 1e6).toFixed(1)} -> ${(countFlops(small).total / 1e6).toFixed(1)} | ${err.toExponential(1)} |`,
  );
  clearPruning(model);
  model.dispose();
  small.dispose();
}
lines.push('', `Load after: \`${execFileSync('uptime').toString().trim()}\`.`);
console.log(lines.join('\n'));
tf.dispose([xs, ...batches]);
