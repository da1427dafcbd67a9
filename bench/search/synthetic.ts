import { seededRandom } from '../../src/search/rng.js';
import type { SampleFn } from '../../src/search/types.js';

/**
 * Synthetic sparsity-search tasks with known answers. Measurements are deterministic functions
 * of (seed, sparsity), as a seeded compression would be, so the grid oracle and every search see
 * the same curve.
 */
export interface GlobalTask {
  baseAccuracy: number;
  sample: SampleFn<number>;
  /** Accuracy at sparsity s (what `sample` reports). */
  accuracy(s: number): number;
  objective(s: number): number;
}

/** Deterministic noise of amplitude ~`scale` at x for a given seed: smooth wiggles + a jitter. */
export function roughNoise(seed: number, x: number, scale: number): number {
  const rng = seededRandom(seed * 7919 + 17);
  let wiggle = 0;
  for (let k = 0; k < 3; k++)
    wiggle += Math.sin(2 * Math.PI * rng.uniform(2, 9) * x + rng.uniform(0, 6.3)) / 3;
  const jitter = seededRandom(seed * 1_000_003 + Math.round(x * 1e6)).normal() * 0.5;
  return scale * (wiggle + jitter);
}

/**
 * A logistic accuracy collapse at a seeded sparsity (0.5..0.85), plus deterministic noise, and
 * a step-like throughput: 64 channels rounded up to multiples of `channelStep`, images/s ~ 1 / (8 + kept).
 */
export function globalTask(seed: number, channelStep = 4): GlobalTask {
  const rng = seededRandom(seed);
  const centre = rng.uniform(0.5, 0.85);
  const width = rng.uniform(0.03, 0.08);
  const baseAccuracy = 0.92;
  const accuracy = (s: number) =>
    baseAccuracy -
    0.6 / (1 + Math.exp(-(s - centre) / width)) +
    0.6 / (1 + Math.exp(centre / width)) +
    roughNoise(seed, s, 0.002);
  const objective = (s: number) => 1000 / (8 + Math.ceil(((1 - s) * 64) / channelStep - 1e-9) * channelStep);
  return {
    baseAccuracy,
    accuracy,
    objective,
    sample: async (density) => ({ accuracy: accuracy(1 - density), objective: objective(1 - density) }),
  };
}

/** A multi-layer task: per-layer accuracy damage with different sensitivities, FLOPs objective. */
export interface PerLayerTask {
  layers: string[];
  flops: Record<string, number>;
  baseAccuracy: number;
  accuracy(sparsities: Record<string, number>): number;
  /** Remaining FLOPs fraction (to minimise). */
  remainingFlops(sparsities: Record<string, number>): number;
  sample: SampleFn<Record<string, number>>;
  /** The same task seen by a global search: every layer at one sparsity. */
  globalSample: SampleFn<number>;
  profile(layer: string, density: number): Promise<number>;
}

/**
 * Six layers with seeded FLOPs shares and sensitivities (log-uniform over 60x). Damage of a
 * layer grows as k * s^4 (pruning is cheap until it is not); accuracy collapses logistically in
 * the total damage, plus deterministic noise.
 */
export function perLayerTask(seed: number): PerLayerTask {
  const rng = seededRandom(seed + 1000);
  const layers = Array.from({ length: 6 }, (_, i) => `layer${i + 1}`);
  const flops: Record<string, number> = {};
  const k: Record<string, number> = {};
  for (const l of layers) {
    flops[l] = rng.uniform(1, 10);
    k[l] = Math.exp(rng.uniform(Math.log(0.05), Math.log(3)));
  }
  const total = layers.reduce((a, l) => a + flops[l], 0);
  const baseAccuracy = 0.92;
  const damage = (s: Record<string, number>) =>
    layers.reduce((a, l) => a + (k[l] * flops[l] * (s[l] ?? 0) ** 4) / total, 0);
  const accuracy = (s: Record<string, number>) => {
    const d = damage(s);
    return baseAccuracy - 0.6 * (2 / (1 + Math.exp(-d / 1)) - 1) + roughNoise(seed, d, 0.002);
  };
  const remainingFlops = (s: Record<string, number>) =>
    layers.reduce((a, l) => a + flops[l] * (1 - (s[l] ?? 0)), 0) / total;
  const toSparsity = (densities: Record<string, number>) =>
    Object.fromEntries(layers.map((l) => [l, 1 - densities[l]]));
  const uniform = (s: number) => Object.fromEntries(layers.map((l) => [l, s]));
  return {
    layers,
    flops,
    baseAccuracy,
    accuracy,
    remainingFlops,
    sample: async (densities) => {
      const s = toSparsity(densities);
      return { accuracy: accuracy(s), objective: remainingFlops(s) };
    },
    globalSample: async (density) => ({
      accuracy: accuracy(uniform(1 - density)),
      objective: remainingFlops(uniform(1 - density)),
    }),
    profile: async (layer, density) => accuracy({ [layer]: 1 - density }),
  };
}
