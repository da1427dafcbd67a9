import { PNG } from 'pngjs';
import { DataError } from '../errors.js';

/** Pixels per CIFAR image (32x32), and bytes per record of the official binary format. */
export const CIFAR_PIXELS = 1024;
export const CIFAR_RECORD_BYTES = 1 + 3 * CIFAR_PIXELS;

/**
 * Rebuilds an official CIFAR-10 binary batch (records of 1 label byte + 1024 R + 1024 G + 1024 B
 * bytes) from the npm mirror's form of it: a PNG 1024 wide with one image per row, pixel k of a
 * row being the (R, G, B) of position k, and the labels as a separate list.
 */
export function cifarBinFromPng(png: Uint8Array, labels: ArrayLike<number>, name: string): Buffer {
  let image: PNG;
  try {
    image = PNG.sync.read(Buffer.from(png.buffer, png.byteOffset, png.byteLength));
  } catch (err) {
    throw new DataError(`${name}: not a valid PNG (${(err as Error).message})`);
  }
  if (image.width !== CIFAR_PIXELS || image.height !== labels.length) {
    throw new DataError(
      `${name}: ${image.width}x${image.height} PNG, expected ${CIFAR_PIXELS}x${labels.length} ` +
        '(one 32x32 image per row, one row per label)',
    );
  }
  // pngjs always decodes to RGBA, 4 bytes per pixel.
  const rgba = image.data;
  const out = Buffer.alloc(labels.length * CIFAR_RECORD_BYTES);
  for (let i = 0; i < labels.length; i++) {
    const rec = i * CIFAR_RECORD_BYTES;
    out[rec] = labels[i];
    const row = i * CIFAR_PIXELS * 4;
    for (let k = 0; k < CIFAR_PIXELS; k++) {
      const px = row + 4 * k;
      out[rec + 1 + k] = rgba[px];
      out[rec + 1 + CIFAR_PIXELS + k] = rgba[px + 1];
      out[rec + 1 + 2 * CIFAR_PIXELS + k] = rgba[px + 2];
    }
  }
  return out;
}

/**
 * Decodes official binary batches into one Split: labels, and images converted from the files'
 * channel planes (CHW) to NHWC.
 */
export function cifarSplit(batches: Uint8Array[], names: string[]) {
  let count = 0;
  batches.forEach((b, i) => {
    if (b.length % CIFAR_RECORD_BYTES !== 0) {
      throw new DataError(
        `${names[i]}: ${b.length} bytes is not a whole number of ${CIFAR_RECORD_BYTES}-byte records`,
      );
    }
    count += b.length / CIFAR_RECORD_BYTES;
  });
  const images = new Uint8Array(count * 3 * CIFAR_PIXELS);
  const labels = new Uint8Array(count);
  let n = 0;
  for (const batch of batches) {
    for (let rec = 0; rec < batch.length; rec += CIFAR_RECORD_BYTES, n++) {
      labels[n] = batch[rec];
      const dst = n * 3 * CIFAR_PIXELS;
      for (let k = 0; k < CIFAR_PIXELS; k++) {
        images[dst + 3 * k] = batch[rec + 1 + k];
        images[dst + 3 * k + 1] = batch[rec + 1 + CIFAR_PIXELS + k];
        images[dst + 3 * k + 2] = batch[rec + 1 + 2 * CIFAR_PIXELS + k];
      }
    }
  }
  return { images, labels, count };
}
