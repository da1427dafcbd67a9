/**
 * The k-th smallest value (0-based `k`) of `data`, found with an iterative quickselect.
 * `data` is reordered in place. Expected O(n), which matters for a global threshold over
 * every weight of a network (millions of entries), where a full sort would dominate.
 */
export function kthSmallest(data: Float32Array | Float64Array, k: number): number {
  let lo = 0;
  let hi = data.length - 1;
  while (hi > lo) {
    // Median of three guards against already-sorted inputs (common for test vectors).
    const mid = (lo + hi) >>> 1;
    const a = data[lo];
    const b = data[mid];
    const c = data[hi];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (data[i] < pivot) i++;
      while (data[j] > pivot) j--;
      if (i <= j) {
        const t = data[i];
        data[i] = data[j];
        data[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return data[k];
  }
  return data[k];
}

/**
 * Indices of the `count` smallest entries of `scores`, ties broken by the lower index (the
 * project's documented tie rule: among equal scores the earlier entry in row-major order is
 * selected first). O(n) apart from the ties themselves.
 */
export function smallestIndices(scores: Float32Array | Float64Array, count: number): Uint32Array {
  const out = new Uint32Array(count);
  if (count === 0) return out;
  const kth = kthSmallest(scores.slice(), count - 1);
  let at = 0;
  for (let i = 0; i < scores.length && at < count; i++) if (scores[i] < kth) out[at++] = i;
  for (let i = 0; i < scores.length && at < count; i++) if (scores[i] === kth) out[at++] = i;
  return out;
}

/** Round half to even, as Python's `round` (PyTorch computes pruning counts with it). */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const diff = x - f;
  if (diff < 0.5) return f;
  if (diff > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}
