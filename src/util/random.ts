/**
 * Small seeded pseudo-random generators. Every random choice in condensa-ts takes a seed so
 * the same seed gives the same result on every machine; Math.random cannot be seeded.
 */

/** A generator of uniform floats in [0, 1). */
export type Random = () => number;

/**
 * mulberry32: a 32-bit state generator (Tommy Ettinger's constants). Fast, tiny and good
 * enough for shuffling and augmentation; not for cryptography.
 *
 * @example
 * const rand = mulberry32(42);
 * const x = rand(); // same value on every run for seed 42
 */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniform integer in [0, n). */
export function randomInt(rand: Random, n: number): number {
  return Math.floor(rand() * n);
}

/**
 * Shuffles `items` in place with Fisher-Yates (every permutation equally likely) and returns it.
 *
 * @example
 * const order = shuffleInPlace([0, 1, 2, 3], mulberry32(1));
 */
export function shuffleInPlace<T, A extends { length: number; [i: number]: T }>(items: A, rand: Random): A {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(rand, i + 1);
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  return items;
}

/** The indices 0..n-1 in a seeded random order. */
export function permutation(n: number, rand: Random): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return shuffleInPlace<number, Uint32Array>(order, rand);
}
