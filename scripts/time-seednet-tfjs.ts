/**
 * Seconds per CIFAR-10 epoch of tfjs training of seedNet width 0.25 (SGD momentum 0.9, batch 128,
 * crop + flip augmentation, as the PyTorch run), from a short timed run extrapolated to the 391
 * batches of an epoch. On a shared machine wall time is inflated by other processes, so it also
 * reports process CPU seconds per batch: on one wasm thread that is the uncontended wall time.
 *
 * Usage: npx tsx scripts/time-seednet-tfjs.ts [batches=100] [threads=1] > timing.json
 */
import * as tf from '@tensorflow/tfjs';
import { loadavg } from 'node:os';
import { initBackend } from '../src/backend/index.js';
import { batchDataset, CIFAR10_MEAN, CIFAR10_STD, loadCifar10 } from '../src/data/index.js';
import { seedNet } from '../src/models/index.js';

const batches = Number(process.argv[2] ?? 100);
const threads = Number(process.argv[3] ?? 1);
const warmup = 3;
const backend = await initBackend({ threads });
const cifar = await loadCifar10();
const model = seedNet({ width: 0.25, seed: 0 });
model.compile({ optimizer: tf.train.momentum(0.05, 0.9), loss: 'categoricalCrossentropy' });
const ds = batchDataset(cifar.train, {
  batchSize: 128,
  numClasses: 10,
  shuffle: true,
  seed: 0,
  augment: 'cifar',
  normalize: 'standard',
  mean: CIFAR10_MEAN,
  std: CIFAR10_STD,
});
await model.fitDataset(ds.take(warmup), { epochs: 1, verbose: 0 });
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await model.fitDataset(ds.take(batches), { epochs: 1, verbose: 0 });
const wall = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const perEpoch = Math.ceil(cifar.train.count / 128);
console.log(
  JSON.stringify({
    backend,
    threads,
    batches,
    batchSize: 128,
    wallSecondsPerBatch: wall / batches,
    cpuSecondsPerBatch: cpuSeconds / batches,
    extrapolatedWallSecondsPerEpoch: (wall / batches) * perEpoch,
    extrapolatedCpuSecondsPerEpoch: (cpuSeconds / batches) * perEpoch,
    loadAverage: loadavg()[0],
    note: `timed ${batches} batches after ${warmup} warm-up batches, extrapolated to ${perEpoch} batches per epoch`,
    date: new Date().toISOString(),
  }),
);
model.dispose();
