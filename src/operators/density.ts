import { toFloat32, type Values } from './values.js';

/**
 * Fraction of nonzero entries (Condensa's density; sparsity = 1 - density). A list of tensors is
 * counted as one: the density of a whole model.
 *
 * @example
 * density(tf.concat([tf.zeros([10]), tf.ones([30])])); // 0.75
 */
export function density(values: Values): number {
  const data = toFloat32(values);
  if (data.length === 0) return 0;
  let nonzero = 0;
  for (let i = 0; i < data.length; i++) if (data[i] !== 0) nonzero++;
  return nonzero / data.length;
}
