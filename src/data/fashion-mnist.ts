import type { DatasetFiles } from './acquire.js';
import { ensureFiles } from './acquire.js';
import { IDX_FILES, idxDataset } from './idx.js';
import { gzipDirSource, gzipUrlSource } from './idx-sources.js';
import type { Dataset, LoadOptions } from './types.js';

/*
 * Fashion-MNIST: H. Xiao, K. Rasul and R. Vollgraf, "Fashion-MNIST: a Novel Image Dataset for
 * Benchmarking Machine Learning Algorithms", arXiv:1708.07747, 2017. MIT licence. 60,000 training
 * and 10,000 test 28x28 grey images of clothing.
 */

/** Mean and standard deviation of Fashion-MNIST training pixels scaled to [0, 1]. */
export const FASHION_MNIST_MEAN = [0.286];
export const FASHION_MNIST_STD = [0.353];

const DEBIAN_DIR = '/usr/share/datasets/fashion-mnist';
const INSTALL = 'install the Debian package with `sudo apt-get install dataset-fashion-mnist`';

// The sha256 of the decompressed files. Debian's .gz files differ from upstream's only in their
// gzip headers, so these are also the sha256 of upstream's decompressed files.
export const FASHION_MNIST_FILES: DatasetFiles = {
  id: 'fashion-mnist',
  title: 'Fashion-MNIST',
  files: [
    {
      name: IDX_FILES.trainImages,
      size: 47_040_016,
      sha256: 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
    },
    {
      name: IDX_FILES.trainLabels,
      size: 60_008,
      sha256: 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
    },
    {
      name: IDX_FILES.testImages,
      size: 7_840_016,
      sha256: '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
    },
    {
      name: IDX_FILES.testLabels,
      size: 10_008,
      sha256: '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
    },
  ],
  sources: [
    gzipUrlSource('the official site', 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'),
    gzipDirSource('the Debian package dataset-fashion-mnist', DEBIAN_DIR, INSTALL),
  ],
  help:
    `Check network access to the official site, or ${INSTALL}, or copy the four uncompressed ` +
    'official idx files into the cache folder. (The npm package `fashion-mnist` is not the ' +
    'official data and is not used.)',
};

/**
 * Loads Fashion-MNIST (fetching and verifying it on first use): 28x28x1 images, 10 classes.
 *
 * @example
 * const fashion = await loadFashionMnist();
 * console.log(fashion.classes[fashion.test.labels[0]]); // 'Ankle boot'
 */
export async function loadFashionMnist(opts: LoadOptions = {}): Promise<Dataset> {
  const files = await ensureFiles(FASHION_MNIST_FILES, opts);
  return idxDataset(files, 'fashion-mnist', [
    'T-shirt/top',
    'Trouser',
    'Pullover',
    'Dress',
    'Coat',
    'Sandal',
    'Shirt',
    'Sneaker',
    'Bag',
    'Ankle boot',
  ]);
}
