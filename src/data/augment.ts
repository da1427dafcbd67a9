import { randomInt, type Random } from '../util/random.js';

/** Standard CIFAR augmentation: zero padding of 4 pixels, then a random crop back to size. */
export const CIFAR_CROP_PADDING = 4;

/**
 * Writes one augmented image (h x w x c bytes at `src`) into `dst`: a random crop of the image
 * zero-padded by `padding` pixels on each side (a shift of up to `padding` pixels with black
 * fill), then a horizontal flip with probability 1/2. Two draws per image from `rand`, so a
 * seed fixes the result.
 */
export function cropAndFlip(
  src: Uint8Array,
  dst: Uint8Array,
  [h, w, c]: [number, number, number],
  rand: Random,
  padding = CIFAR_CROP_PADDING,
): void {
  const span = 2 * padding + 1;
  const shift = randomInt(rand, span * span);
  const dy = Math.floor(shift / span) - padding;
  const dx = (shift % span) - padding;
  const flip = rand() < 0.5;
  for (let y = 0; y < h; y++) {
    const sy = y + dy;
    for (let x = 0; x < w; x++) {
      const sx = (flip ? w - 1 - x : x) + dx;
      const out = (y * w + x) * c;
      if (sy < 0 || sy >= h || sx < 0 || sx >= w) {
        for (let k = 0; k < c; k++) dst[out + k] = 0;
      } else {
        const from = (sy * w + sx) * c;
        for (let k = 0; k < c; k++) dst[out + k] = src[from + k];
      }
    }
  }
}
