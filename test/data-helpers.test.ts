import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  batchDataset,
  CIFAR10_MEAN,
  CIFAR10_STD,
  cropAndFlip,
  loadCifar10,
  loadMnist,
  splitValidation,
  stratifiedSubset,
  toTensors,
  type BatchTensors,
  type Dataset,
  type Split,
} from '../src/data/index.js';
import { InvalidArgumentError } from '../src/errors.js';
import { mulberry32 } from '../src/util/random.js';
import { trackTensors } from './helpers/leaks.js';

const counts = (labels: Uint8Array) => labels.reduce((c, l) => (c[l]++, c), new Array<number>(10).fill(0));

/** Every batch of one pass, as plain arrays; the tensors are disposed. */
async function collect(ds: tf.data.Dataset<BatchTensors>) {
  const out: { xs: Float32Array; ys: Float32Array; xShape: number[]; yShape: number[] }[] = [];
  await ds.forEachAsync((b) => {
    out.push({
      xs: b.xs.dataSync() as Float32Array,
      ys: b.ys.dataSync() as Float32Array,
      xShape: b.xs.shape,
      yShape: b.ys.shape,
    });
    tf.dispose([b.xs, b.ys]);
  });
  return out;
}

describe('dataset helpers on real data', () => {
  let mnist: Dataset;
  let cifar: Dataset;
  let cifarSmall: Split;
  beforeAll(async () => {
    mnist = await loadMnist();
    cifar = await loadCifar10();
    cifarSmall = stratifiedSubset(cifar.test, { perClass: 10, seed: 3 });
  });

  it('toTensors normalizes to [0, 1] or per channel, with one-hot labels', () => {
    const leaks = trackTensors();
    const sub = stratifiedSubset(mnist.test, { perClass: 5, seed: 1 });
    const { xs, ys } = toTensors(sub, { numClasses: 10 });
    expect(xs.shape).toEqual([50, 28, 28, 1]);
    expect(ys.shape).toEqual([50, 10]);
    const x = xs.dataSync();
    for (let i = 0; i < x.length; i += 97) expect(x[i]).toBeCloseTo(sub.images[i] / 255, 6);
    expect(Array.from(tf.tidy(() => ys.argMax(1).dataSync()))).toEqual(Array.from(sub.labels));
    expect(tf.tidy(() => ys.sum().dataSync()[0])).toBe(50);
    tf.dispose([xs, ys]);

    const std = toTensors(cifarSmall, {
      numClasses: 10,
      normalize: 'standard',
      mean: CIFAR10_MEAN,
      std: CIFAR10_STD,
    });
    expect(std.xs.shape).toEqual([100, 32, 32, 3]);
    const s = std.xs.dataSync();
    for (const i of [0, 1, 2, 3001, 307199]) {
      const c = i % 3;
      expect(s[i]).toBeCloseTo((cifarSmall.images[i] / 255 - CIFAR10_MEAN[c]) / CIFAR10_STD[c], 5);
    }
    tf.dispose([std.xs, std.ys]);
    expect(() => toTensors(sub, { numClasses: 10, normalize: 'standard' })).toThrow(InvalidArgumentError);
    expect(() => toTensors(sub, { numClasses: 5 })).toThrow(/label \d is out of range for numClasses 5/);
    leaks.check();
  });

  it('splitValidation holds out a seeded, disjoint part and keeps every image', () => {
    const { train, val } = splitValidation(mnist.train, { count: 5000, seed: 7 });
    expect(val.count).toBe(5000);
    expect(train.count).toBe(55000);
    expect(train.images.length).toBe(55000 * 784);
    // Together they hold every label (class counts add up) and every pixel byte.
    const all = counts(mnist.train.labels);
    const parts = counts(train.labels).map((n, c) => n + counts(val.labels)[c]);
    expect(parts).toEqual(all);
    const byteSum = (a: Uint8Array) => a.reduce((s, v) => s + v, 0);
    expect(byteSum(train.images) + byteSum(val.images)).toBe(byteSum(mnist.train.images));
    // Same seed, same split; another seed, another split.
    const again = splitValidation(mnist.train, { count: 5000, seed: 7 });
    expect(Buffer.from(again.val.labels).equals(Buffer.from(val.labels))).toBe(true);
    expect(Buffer.from(again.val.images).equals(Buffer.from(val.images))).toBe(true);
    const other = splitValidation(mnist.train, { count: 5000, seed: 8 });
    expect(Buffer.from(other.val.images).equals(Buffer.from(val.images))).toBe(false);
    expect(splitValidation(mnist.test, { fraction: 0.1, seed: 1 }).val.count).toBe(1000);
    expect(() => splitValidation(mnist.test, { fraction: 1.5, seed: 1 })).toThrow(InvalidArgumentError);
    expect(() => splitValidation(mnist.test, { seed: 1 })).toThrow(/count .* or fraction/);
  });

  it('stratifiedSubset takes exactly perClass of each class, seeded', () => {
    const sub = stratifiedSubset(cifar.train, { perClass: 100, seed: 5 });
    expect(sub.count).toBe(1000);
    expect(counts(sub.labels)).toEqual(new Array(10).fill(100));
    // Each chosen image is a real image of its class: find image 0 of the subset in the source.
    const size = 32 * 32 * 3;
    const first = Buffer.from(sub.images.subarray(0, size));
    let found = -1;
    for (let i = 0; i < cifar.train.count && found < 0; i++) {
      if (first.equals(cifar.train.images.subarray(i * size, (i + 1) * size))) found = i;
    }
    expect(found).toBeGreaterThanOrEqual(0);
    expect(cifar.train.labels[found]).toBe(sub.labels[0]);
    const again = stratifiedSubset(cifar.train, { perClass: 100, seed: 5 });
    expect(Buffer.from(again.images).equals(Buffer.from(sub.images))).toBe(true);
    const other = stratifiedSubset(cifar.train, { perClass: 100, seed: 6 });
    expect(Buffer.from(other.images).equals(Buffer.from(sub.images))).toBe(false);
    expect(() => stratifiedSubset(cifar.test, { perClass: 1001, seed: 0 })).toThrow(/only 1000 images/);
  });

  it('cropAndFlip shifts with zero fill and flips, deterministically per seed', () => {
    const shape: [number, number, number] = [32, 32, 3];
    const src = cifar.test.images.subarray(0, 3072);
    const a = new Uint8Array(3072);
    const b = new Uint8Array(3072);
    cropAndFlip(src, a, shape, mulberry32(11));
    cropAndFlip(src, b, shape, mulberry32(11));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    // Reconstruct the draw and check every output pixel against the rule.
    const rand = mulberry32(11);
    const shift = Math.floor(rand() * 81);
    const dy = Math.floor(shift / 9) - 4;
    const dx = (shift % 9) - 4;
    const flip = rand() < 0.5;
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 32; x++) {
        const sy = y + dy;
        const sx = (flip ? 31 - x : x) + dx;
        for (let c = 0; c < 3; c++) {
          const want = sy < 0 || sy > 31 || sx < 0 || sx > 31 ? 0 : src[(sy * 32 + sx) * 3 + c];
          if (a[(y * 32 + x) * 3 + c] !== want) throw new Error(`pixel (${y}, ${x}, ${c})`);
        }
      }
    }
    // Over many seeds, both flips and all 81 shifts occur.
    const seen = new Set<string>();
    for (let s = 0; s < 2000; s++) {
      const r = mulberry32(s);
      seen.add(`${Math.floor(r() * 81)}:${r() < 0.5}`);
    }
    expect(seen.size).toBe(162);
  });

  it('batchDataset gives normalized one-hot batches, reshuffled per epoch, repeatable per seed', async () => {
    const leaks = trackTensors();
    const opts = {
      batchSize: 32,
      shuffle: true,
      seed: 9,
      augment: 'cifar' as const,
      normalize: 'standard' as const,
      mean: CIFAR10_MEAN,
      std: CIFAR10_STD,
      numClasses: 10,
    };
    const ds = batchDataset(cifarSmall, opts);
    const epoch1 = await collect(ds);
    const epoch2 = await collect(ds);
    expect(epoch1.map((b) => b.xShape)).toEqual([
      [32, 32, 32, 3],
      [32, 32, 32, 3],
      [32, 32, 32, 3],
      [4, 32, 32, 3],
    ]);
    expect(epoch1[3].yShape).toEqual([4, 10]);
    // One pass holds every image's label once: class counts match the split.
    const labelCounts = new Array<number>(10).fill(0);
    for (const b of epoch1) for (let i = 0; i < b.ys.length; i++) if (b.ys[i] === 1) labelCounts[i % 10]++;
    expect(labelCounts).toEqual(counts(cifarSmall.labels));
    // Epochs differ; a fresh dataset with the same seed repeats both epochs exactly.
    expect(epoch1[0].xs).not.toEqual(epoch2[0].xs);
    const again = batchDataset(cifarSmall, opts);
    expect((await collect(again))[0].xs).toEqual(epoch1[0].xs);
    expect((await collect(again))[1].ys).toEqual(epoch2[1].ys);
    // Zero padding shows up as normalized black, (0 - mean) / std.
    const black = (0 - CIFAR10_MEAN[0]) / CIFAR10_STD[0];
    expect(epoch1.some((b) => b.xs.some((v, i) => i % 3 === 0 && Math.abs(v - black) < 1e-6))).toBe(true);

    // Without shuffle or augmentation, batches are exactly toTensors' values in order.
    const plain = await collect(
      batchDataset(cifarSmall, { batchSize: 64, normalize: 'unit', numClasses: 10 }),
    );
    const whole = toTensors(cifarSmall, { numClasses: 10 });
    const wx = whole.xs.dataSync();
    expect(plain[0].xs).toEqual(wx.slice(0, 64 * 3072));
    expect(plain[1].xs).toEqual(wx.slice(64 * 3072));
    expect(plain[1].ys).toEqual(whole.ys.dataSync().slice(640));
    tf.dispose([whole.xs, whole.ys]);
    expect(() => batchDataset(cifarSmall, { batchSize: 0, normalize: 'unit', numClasses: 10 })).toThrow(
      InvalidArgumentError,
    );
    leaks.check();
  });

  it('batchDataset trains a model with fitDataset without leaking tensors', async () => {
    const sub = stratifiedSubset(mnist.train, { perClass: 20, seed: 2 });
    const model = tf.sequential({
      layers: [
        tf.layers.flatten({ inputShape: [28, 28, 1] }),
        tf.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    });
    model.compile({ optimizer: tf.train.sgd(0.5), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const leaks = trackTensors();
    const ds = batchDataset(sub, {
      batchSize: 50,
      shuffle: true,
      seed: 1,
      normalize: 'unit',
      numClasses: 10,
    });
    const history = await model.fitDataset(ds, { epochs: 5, verbose: 0 });
    const loss = history.history.loss as number[];
    expect(loss[4]).toBeLessThan(loss[0]);
    leaks.check();
    model.dispose();
  });
});
