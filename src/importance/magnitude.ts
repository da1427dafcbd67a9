import type { Criteria } from '../operators/criteria.js';
import { lampScores } from '../operators/lampScores.js';
import { scoreStructures } from '../operators/structureScores.js';
import type { ImportanceCriterion } from './registry.js';
import { perLayer, structureWeight } from './structures.js';
import type { ImportanceContext, ImportanceFunction } from './types.js';

/**
 * Norm of each structure's weights. The arithmetic is the operators' `scoreStructures` (float64
 * accumulation), so a scheme ranking by importance and a per-layer operator agree bit for bit.
 */
function norms(ctx: ImportanceContext, p: 'l1' | 'l2'): Record<string, Float32Array> {
  return magnitudeImportance(p)(ctx);
}

/** 'l1': sum of |w| over a structure's weights (Li et al.'s filter norm). */
export const l1: ImportanceCriterion = {
  needs: 'none',
  description: 'sum of |w| over the filter / neuron',
  score: (ctx) => norms(ctx, 'l1'),
};

/** 'l2': Euclidean norm of a structure's weights (Condensa's default). */
export const l2: ImportanceCriterion = {
  needs: 'none',
  description: 'Euclidean norm of the filter / neuron',
  score: (ctx) => norms(ctx, 'l2'),
};

/**
 * 'lamp': LAMP on the structures' L2 norms: norm^2 over the sum of the squared norms of the
 * layer's structures at least as large. Within a layer the order is the L2 order; across layers
 * each layer's strongest structure scores 1, so a global threshold never empties a layer and
 * does not favour layers whose weights happen to be large.
 */
export const lamp: ImportanceCriterion = {
  needs: 'none',
  description: 'LAMP score of the filter L2 norms (layer-adaptive)',
  score: (ctx) => {
    const l2s = norms(ctx, 'l2');
    return Object.fromEntries(Object.entries(l2s).map(([k, v]) => [k, lampScores(v)]));
  },
};

/**
 * The magnitude criteria of the operators (`'l2' | 'l1' | 'max' | 'min' | 'mean' | 'sum' |
 * 'l2Scaled'` over |w|) as an importance: what the schemes' `criteria` option means.
 *
 * @example
 * ```ts
 * importanceScores(model, magnitudeImportance('max'), { layers: ['conv1'] }).conv1; // max |w| per filter
 * ```
 */
export function magnitudeImportance(criteria: Criteria): ImportanceFunction {
  return ({ layers }) =>
    perLayer(layers, (layer) => {
      const w = structureWeight(layer);
      return scoreStructures(w.data, w.shape, criteria, w.axes, layer.name);
    });
}
