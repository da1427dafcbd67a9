import { mulberry32 } from '../util/random.js';
import type { ImportanceCriterion } from './registry.js';
import { structureCount } from './structures.js';

/**
 * 'random': uniform scores from `options.seed` (default 0), drawn layer by layer in model order:
 * the baseline every criterion should beat. The same seed and layers give the same scores.
 */
export const random: ImportanceCriterion = {
  needs: 'none',
  description: 'seeded uniform random scores (baseline)',
  score: ({ layers, options }) => {
    const rand = mulberry32(options.seed ?? 0);
    return Object.fromEntries(
      layers.map((l) => [l.name, Float32Array.from({ length: structureCount(l) }, () => rand())]),
    );
  },
};
