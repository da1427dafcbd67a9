import { stridesOf } from '../operators/values.js';

/**
 * Gather and scatter of whole slices along one axis of a row-major array: PyTorch's
 * PruningContainer restricts a structured method to the channels that are still alive
 * (`t[slc]`), then writes the partial mask back into those channels.
 */
function layout(shape: readonly number[], axis: number): { inner: number; dim: number; outer: number } {
  const inner = stridesOf(shape)[axis];
  const dim = shape[axis];
  const size = shape.reduce((a, b) => a * b, 1);
  return { inner, dim, outer: size / (inner * dim) };
}

/** The sub-array holding only slices `keep` (ascending indices) along `axis`. */
export function gatherSlices(
  data: ArrayLike<number>,
  shape: readonly number[],
  axis: number,
  keep: readonly number[],
): Float32Array {
  const { inner, dim, outer } = layout(shape, axis);
  const out = new Float32Array(outer * keep.length * inner);
  let at = 0;
  for (let o = 0; o < outer; o++) {
    for (const c of keep) {
      const start = (o * dim + c) * inner;
      for (let i = 0; i < inner; i++) out[at++] = data[start + i];
    }
  }
  return out;
}

/** Write `part` (as produced by `gatherSlices` with the same `keep`) back into `target`. */
export function scatterSlices(
  target: Float32Array,
  shape: readonly number[],
  axis: number,
  keep: readonly number[],
  part: ArrayLike<number>,
): void {
  const { inner, dim, outer } = layout(shape, axis);
  let at = 0;
  for (let o = 0; o < outer; o++) {
    for (const c of keep) {
      const start = (o * dim + c) * inner;
      for (let i = 0; i < inner; i++) target[start + i] = part[at++];
    }
  }
}

/** Indices along `axis` whose slice of `mask` has any nonzero entry. */
export function liveSlices(mask: ArrayLike<number>, shape: readonly number[], axis: number): number[] {
  const { inner, dim, outer } = layout(shape, axis);
  const alive = new Uint8Array(dim);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < dim; c++) {
      if (alive[c]) continue;
      const start = (o * dim + c) * inner;
      for (let i = 0; i < inner; i++) {
        if (mask[start + i] !== 0) {
          alive[c] = 1;
          break;
        }
      }
    }
  }
  const out: number[] = [];
  for (let c = 0; c < dim; c++) if (alive[c]) out.push(c);
  return out;
}

/** The mask keeping slices `keepFlags[c] == 1` along `axis`, full shape. */
export function sliceMask(
  keepFlags: ArrayLike<number>,
  shape: readonly number[],
  axis: number,
): Float32Array {
  const { inner, dim, outer } = layout(shape, axis);
  const out = new Float32Array(outer * dim * inner);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < dim; c++) {
      if (!keepFlags[c]) continue;
      out.fill(1, (o * dim + c) * inner, (o * dim + c + 1) * inner);
    }
  }
  return out;
}

/** Ln norm of each slice along `axis` (p = Infinity: max |x|, -Infinity: min |x|, 0: count of nonzeros). */
export function sliceNorms(
  data: ArrayLike<number>,
  shape: readonly number[],
  axis: number,
  p: number,
): Float64Array {
  const { inner, dim, outer } = layout(shape, axis);
  const acc = new Float64Array(dim).fill(p === -Infinity ? Infinity : 0);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < dim; c++) {
      const start = (o * dim + c) * inner;
      let a = acc[c];
      for (let i = 0; i < inner; i++) {
        const m = Math.abs(data[start + i]);
        if (p === Infinity) a = m > a ? m : a;
        else if (p === -Infinity) a = m < a ? m : a;
        else if (p === 0) a += m !== 0 ? 1 : 0;
        else if (p === 1) a += m;
        else if (p === 2) a += m * m;
        else a += m ** p;
      }
      acc[c] = a;
    }
  }
  if (p !== Infinity && p !== -Infinity && p !== 0 && p !== 1) {
    for (let c = 0; c < dim; c++) acc[c] = p === 2 ? Math.sqrt(acc[c]) : acc[c] ** (1 / p);
  }
  return acc;
}
