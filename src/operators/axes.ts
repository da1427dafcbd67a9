import { InvalidArgumentError } from '../errors.js';

/** Normalise `axis` (number or list, negatives count from the end) to sorted, unique axes. */
export function normaliseAxes(axis: number | readonly number[], rank: number, what: string): number[] {
  const list = typeof axis === 'number' ? [axis] : [...axis];
  if (list.length === 0) throw new InvalidArgumentError(`${what}: at least one axis is required`);
  const out = list.map((a) => {
    if (!Number.isInteger(a) || a < -rank || a >= rank) {
      throw new InvalidArgumentError(
        `${what}: axis ${a} is out of range for a rank-${rank} tensor; accepted: ${-rank}..${rank - 1}`,
      );
    }
    return a < 0 ? a + rank : a;
  });
  const sorted = [...new Set(out)].sort((a, b) => a - b);
  if (sorted.length !== out.length)
    throw new InvalidArgumentError(`${what}: axes [${list.join(', ')}] repeat an axis`);
  return sorted;
}

/**
 * For every flat (row-major) index of a tensor of `shape`, the row-major index of its slice
 * along `axes`: entries with equal coordinates on `axes` share a structure.
 */
export function structureIndexOf(
  shape: readonly number[],
  axes: readonly number[],
): { groupOf: Uint32Array; groups: number } {
  const size = shape.reduce((a, b) => a * b, 1);
  const groupStride = new Array<number>(shape.length).fill(0);
  let groups = 1;
  for (let i = axes.length - 1; i >= 0; i--) {
    groupStride[axes[i]] = groups;
    groups *= shape[axes[i]];
  }
  const groupOf = new Uint32Array(size);
  const coord = new Array<number>(shape.length).fill(0);
  let g = 0;
  for (let i = 0; i < size; i++) {
    groupOf[i] = g;
    // Increment the row-major coordinate, updating the group index incrementally.
    for (let d = shape.length - 1; d >= 0; d--) {
      coord[d]++;
      g += groupStride[d];
      if (coord[d] < shape[d]) break;
      g -= groupStride[d] * shape[d];
      coord[d] = 0;
    }
  }
  return { groupOf, groups };
}
