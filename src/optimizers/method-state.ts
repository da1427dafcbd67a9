import type * as tf from '@tensorflow/tfjs';

/** JSON values a method state may hold (checkpoints store them as they are). */
export type StateValue = number | string | boolean | null;

/** A method state as checkpoint data: JSON values plus named tensor lists. */
export interface SavedState {
  values: Record<string, StateValue>;
  tensors: Record<string, tf.Tensor[]>;
}

/**
 * What a recovery optimizer keeps across outer steps besides the model (L-C's multipliers,
 * compressed weights and mu): a small typed object it owns. The run checkpoints it through
 * `save()` and the optimizer rebuilds it with its `loadState(saved)`.
 */
export interface MethodState {
  /** Copies of the state (the caller owns the tensors). */
  save(): SavedState;
  dispose(): void;
}
