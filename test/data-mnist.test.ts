import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  dataRoot,
  FASHION_MNIST_MEAN,
  FASHION_MNIST_STD,
  loadFashionMnist,
  loadMnist,
  MNIST_MEAN,
  MNIST_STD,
  type Dataset,
} from '../src/data/index.js';
import { sha256 } from '../src/data/cache.js';

// sha256 of the official uncompressed idx files (shared/reference/datasets.md; Fashion-MNIST's
// from the Debian package's decompressed files, identical to upstream's contents).
const MNIST_SHA256: Record<string, string> = {
  'train-images-idx3-ubyte': 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
  'train-labels-idx1-ubyte': '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5',
  't10k-images-idx3-ubyte': '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
  't10k-labels-idx1-ubyte': 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
};
const FASHION_SHA256: Record<string, string> = {
  'train-images-idx3-ubyte': 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
  'train-labels-idx1-ubyte': 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
  't10k-images-idx3-ubyte': '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
  't10k-labels-idx1-ubyte': '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
};

function classCounts(labels: Uint8Array): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const l of labels) counts[l]++;
  return counts;
}

function byteSum(d: Dataset, split: 'train' | 'test', index: number): number {
  const size = 28 * 28;
  return d[split].images.subarray(index * size, (index + 1) * size).reduce((a, b) => a + b, 0);
}

function meanStd(images: Uint8Array): [number, number] {
  let sum = 0;
  let sq = 0;
  for (const v of images) {
    sum += v / 255;
    sq += (v / 255) ** 2;
  }
  const mean = sum / images.length;
  return [mean, Math.sqrt(sq / images.length - mean * mean)];
}

describe('MNIST', () => {
  it('caches the official files, byte for byte', async () => {
    await loadMnist();
    for (const [name, sha] of Object.entries(MNIST_SHA256)) {
      expect(sha256(await readFile(join(dataRoot(), 'mnist', name)))).toBe(sha);
    }
  });

  it('has the known counts, labels and pixels', async () => {
    const mnist = await loadMnist();
    expect(mnist.shape).toEqual([28, 28, 1]);
    expect(mnist.train.count).toBe(60000);
    expect(mnist.test.count).toBe(10000);
    expect(mnist.train.images.length).toBe(60000 * 784);
    expect(classCounts(mnist.train.labels)).toEqual([
      5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949,
    ]);
    expect(classCounts(mnist.test.labels)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    expect(Array.from(mnist.train.labels.subarray(0, 10))).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    expect(Array.from(mnist.test.labels.subarray(0, 10))).toEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    expect(mnist.train.images[14 * 28 + 14]).toBe(240);
    expect(byteSum(mnist, 'train', 0)).toBe(27525);
    expect(byteSum(mnist, 'test', 9999)).toBe(41833);
    const [mean, std] = meanStd(mnist.train.images);
    expect(mean).toBeCloseTo(MNIST_MEAN[0], 4);
    expect(std).toBeCloseTo(MNIST_STD[0], 4);
  });
});

describe('Fashion-MNIST', () => {
  it('caches the official files, byte for byte', async () => {
    await loadFashionMnist();
    for (const [name, sha] of Object.entries(FASHION_SHA256)) {
      expect(sha256(await readFile(join(dataRoot(), 'fashion-mnist', name)))).toBe(sha);
    }
  });

  it('has the known counts, labels and pixels', async () => {
    const fashion = await loadFashionMnist();
    expect(fashion.shape).toEqual([28, 28, 1]);
    expect(fashion.classes[9]).toBe('Ankle boot');
    expect(classCounts(fashion.train.labels)).toEqual(new Array(10).fill(6000));
    expect(classCounts(fashion.test.labels)).toEqual(new Array(10).fill(1000));
    expect(Array.from(fashion.train.labels.subarray(0, 10))).toEqual([9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
    expect(Array.from(fashion.test.labels.subarray(0, 10))).toEqual([9, 2, 1, 1, 6, 1, 4, 6, 5, 7]);
    expect(fashion.train.images[14 * 28 + 14]).toBe(217);
    expect(byteSum(fashion, 'train', 0)).toBe(76247);
    expect(byteSum(fashion, 'test', 9999)).toBe(24390);
    const [mean, std] = meanStd(fashion.train.images);
    expect(mean).toBeCloseTo(FASHION_MNIST_MEAN[0], 3);
    expect(std).toBeCloseTo(FASHION_MNIST_STD[0], 3);
  });
});
