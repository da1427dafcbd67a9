import { DataError } from '../errors.js';
import type { Dataset } from './types.js';

/**
 * Parses an idx file of unsigned bytes (the MNIST format: a magic number 0x0000 08 <ndim>, then
 * ndim big-endian uint32 sizes, then the data) and returns its dims and a copy of its data.
 */
export function parseIdx(data: Uint8Array, name: string): { dims: number[]; values: Uint8Array } {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (data.length < 8 || view.getUint16(0) !== 0 || data[2] !== 0x08) {
    throw new DataError(`${name}: not an idx file of unsigned bytes (bad magic number)`);
  }
  const ndim = data[3];
  const header = 4 + 4 * ndim;
  const dims: number[] = [];
  for (let i = 0; i < ndim; i++) dims.push(view.getUint32(4 + 4 * i));
  const size = dims.reduce((a, b) => a * b, 1);
  if (data.length !== header + size) {
    throw new DataError(`${name}: ${data.length} bytes, expected ${header + size} for dims [${dims}]`);
  }
  // A plain Uint8Array copy: Buffer.slice would return a view that keeps the whole file alive.
  return { dims, values: new Uint8Array(data.subarray(header)) };
}

/** A Split from an idx images file [n, h, w] and an idx labels file [n]. */
export function idxSplit(images: Uint8Array, labels: Uint8Array, imagesName: string, labelsName: string) {
  const img = parseIdx(images, imagesName);
  const lab = parseIdx(labels, labelsName);
  if (img.dims.length !== 3 || lab.dims.length !== 1 || img.dims[0] !== lab.dims[0]) {
    throw new DataError(`${imagesName}/${labelsName}: dims [${img.dims}] and [${lab.dims}] do not match`);
  }
  return { images: img.values, labels: lab.values, count: lab.dims[0] };
}

/** The four files of an MNIST-format dataset, in the official names. */
export const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/**
 * A 28x28x1 dataset from the four standard idx files (MNIST and Fashion-MNIST ship alike),
 * given the verified file contents by name.
 */
export function idxDataset(files: Map<string, Uint8Array>, name: string, classes: string[]): Dataset {
  const split = (images: string, labels: string) =>
    idxSplit(files.get(images)!, files.get(labels)!, images, labels);
  return {
    name,
    train: split(IDX_FILES.trainImages, IDX_FILES.trainLabels),
    test: split(IDX_FILES.testImages, IDX_FILES.testLabels),
    classes,
    shape: [28, 28, 1],
  };
}
