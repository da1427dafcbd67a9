import type { ImportanceCriterion } from './registry.js';
import { perLayer, structureRows, structureWeight } from './structures.js';

/**
 * 'fpgm' (He et al., "Filter Pruning via Geometric Median"): filters near the geometric median
 * of their layer are replaceable by the others. Practical form, as in the paper's code: a
 * filter's score is the sum of its Euclidean distances to the layer's other filters, so the
 * smallest sums (the most central filters) are pruned first. O(n^2 * size) per layer.
 */
export const fpgm: ImportanceCriterion = {
  needs: 'none',
  description: 'sum of Euclidean distances to the layer’s other filters',
  score: ({ layers }) =>
    perLayer(layers, (layer) => {
      const rows = structureRows(structureWeight(layer));
      const n = rows.length;
      const sums = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          let d2 = 0;
          const a = rows[i];
          const b = rows[j];
          for (let k = 0; k < a.length; k++) d2 += (a[k] - b[k]) * (a[k] - b[k]);
          const d = Math.sqrt(d2);
          sums[i] += d;
          sums[j] += d;
        }
      }
      return Float32Array.from(sums);
    }),
};
