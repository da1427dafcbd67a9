/**
 * The condensa-ts side of the PyTorch peer check (bench/criteria/torch_criteria.py): scores of
 * 'taylor', 'fpgm' and 'apoz' for conv1-3 of the pretrained CIFAR-10 seedNet 0.25 on --images
 * training images (stratified, seed 0), written with those images so PyTorch scores the same
 * weights on the same inputs.
 *
 *   npx tsx bench/criteria/peer-scores.ts [--images 256] [--dir ~/.cache/condensa-ts/criteria-peer]
 *   /usr/bin/python3 bench/criteria/torch_criteria.py [--dir ...]
 *
 * Files: images.f32 (NHWC float32, normalised), labels.i32, shape.json, scores.json.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../../src/backend/index.js';
import { CIFAR10_MEAN, CIFAR10_STD, loadCifar10, stratifiedSubset, toTensors } from '../../src/data/index.js';
import { importanceScores } from '../../src/importance/index.js';
import { loadPretrained } from '../../src/models/index.js';

const { values: a } = parseArgs({
  options: {
    images: { type: 'string', default: '256' },
    dir: { type: 'string', default: join(homedir(), '.cache', 'condensa-ts', 'criteria-peer') },
  },
});

await initBackend({ announce: false });
const cifar = await loadCifar10();
const norm = { normalize: 'standard', mean: CIFAR10_MEAN, std: CIFAR10_STD, numClasses: 10 } as const;
const data = toTensors(
  stratifiedSubset(cifar.train, { perClass: Math.max(1, Math.floor(Number(a.images) / 10)), seed: 0 }),
  norm,
);
const model = await loadPretrained('seednet-0.25-cifar10');
const layers = ['conv1', 'conv2', 'conv3'];
const scores: Record<string, Record<string, number[]>> = {};
const seconds: Record<string, number> = {};
for (const importance of ['taylor', 'fpgm', 'apoz']) {
  const t0 = performance.now();
  const s = importanceScores(model, importance, { data, layers, batchSize: 64 });
  seconds[importance] = (performance.now() - t0) / 1000;
  scores[importance] = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, Array.from(v)]));
}
mkdirSync(a.dir!, { recursive: true });
writeFileSync(join(a.dir!, 'images.f32'), Buffer.from((data.xs.dataSync() as Float32Array).buffer));
writeFileSync(
  join(a.dir!, 'labels.i32'),
  Buffer.from(Int32Array.from(tf.tidy(() => data.ys.argMax(-1).dataSync())).buffer),
);
writeFileSync(join(a.dir!, 'shape.json'), JSON.stringify(data.xs.shape));
writeFileSync(join(a.dir!, 'scores.json'), JSON.stringify({ scores, seconds, batchSize: 64 }));
console.log(JSON.stringify({ dir: a.dir, images: data.xs.shape[0], seconds }));
