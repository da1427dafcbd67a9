/**
 * Layer-adaptive magnitude scores (LAMP; J. Lee, S. Park, S. Mo, S. Ahn, J. Shin, "Layer-adaptive
 * sparsity for the magnitude-based pruning", ICLR 2021): each entry's squared magnitude divided by
 * the sum of the squared magnitudes of the entries of its own tensor that are at least as large.
 * The order within a tensor is the magnitude order, so pruning one tensor by LAMP is magnitude
 * pruning; what changes is the comparison ACROSS tensors: a global threshold on LAMP scores
 * gives each layer a sparsity that depends on the shape of its magnitude distribution rather than
 * on its scale, and every layer's largest entry scores 1 and survives any density. Global
 * magnitude pruning, by contrast, empties the layers whose weights happen to be small (with
 * BatchNorm, a conv layer's scale says nothing about its importance).
 *
 * @example
 * ```ts
 * lampScores(new Float32Array([3, -1, 2])); // [1, 1/14, 4/13]
 * ```
 */
export function lampScores(values: ArrayLike<number>): Float32Array {
  const n = values.length;
  const squares = Float64Array.from(values, (v) => v * v);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => squares[a] - squares[b]);
  const scores = new Float32Array(n);
  // Walk from the largest down, accumulating the sum of the squares at least as large. Equal
  // magnitudes share the sum over their whole tie group, so ties get equal scores.
  let suffix = 0;
  let i = n - 1;
  while (i >= 0) {
    let j = i;
    let group = 0;
    while (j >= 0 && squares[order[j]] === squares[order[i]]) group += squares[order[j--]];
    suffix += group;
    for (let k = i; k > j; k--) scores[order[k]] = suffix > 0 ? squares[order[k]] / suffix : 0;
    i = j;
  }
  return scores;
}
