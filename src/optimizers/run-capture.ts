import * as tf from '@tensorflow/tfjs';
import type { SessionState } from '../training/session.js';
import type { StateValue } from './method-state.js';
import type { StepStats } from './run-events.js';
import type { ModelSnapshot } from './snapshot.js';

/** Which weight of which layer a saved mask belongs to. */
export interface MaskRef {
  layer: string;
  name: string;
}

/**
 * The JSON half of a run's checkpoint (version 2). Tensors are stored beside it under the keys
 * `model.*` and `best.*` (weights, originals, masks), `opt.slots` (optimizer state) and
 * `method.<name>` (the recovery method's state).
 */
export interface CaptureMeta extends SessionState {
  /** Outer steps completed. */
  step: number;
  stats: StepStats[];
  elapsedMs: number;
  divergences: number;
  /** Iterations done when this process started (ETA counts only this session's speed). */
  sessionStartIterations: number;
  modelMasks: MaskRef[];
  best: { loss: number; step: number; masks: MaskRef[] } | null;
  /** The recovery method's JSON state and the names of its tensor lists (null: none). */
  method: { values: Record<string, StateValue>; tensorNames: string[] } | null;
}

/** Everything needed to continue a run: typed metadata plus named tensor lists. */
export interface RunCapture {
  meta: CaptureMeta;
  tensors: Record<string, tf.Tensor[]>;
}

/** Put a snapshot's tensors under `prefix.*` of `tensors` (taking ownership); its mask refs. */
export function putSnapshot(
  tensors: Record<string, tf.Tensor[]>,
  prefix: string,
  s: ModelSnapshot,
): MaskRef[] {
  tensors[`${prefix}.weights`] = s.weights;
  tensors[`${prefix}.originals`] = s.masks.map((m) => m.original);
  tensors[`${prefix}.masks`] = s.masks.map((m) => m.mask);
  return s.masks.map((m) => ({ layer: m.layer, name: m.name }));
}

/** The snapshot stored under `prefix.*` (its tensors still belong to the capture). */
export function getSnapshot(c: RunCapture, prefix: string, refs: MaskRef[]): ModelSnapshot {
  return {
    weights: c.tensors[`${prefix}.weights`] ?? [],
    masks: refs.map((r, i) => ({
      ...r,
      original: c.tensors[`${prefix}.originals`][i],
      mask: c.tensors[`${prefix}.masks`][i],
    })),
  };
}

/** A copy of a snapshot whose tensors survive any enclosing tidy. */
export function cloneSnapshot(s: ModelSnapshot): ModelSnapshot {
  return {
    weights: s.weights.map((w) => tf.keep(w.clone())),
    masks: s.masks.map((m) => ({
      ...m,
      original: tf.keep(m.original.clone()),
      mask: tf.keep(m.mask.clone()),
    })),
  };
}

/** Dispose every tensor of a capture. */
export function disposeCapture(c: RunCapture): void {
  for (const list of Object.values(c.tensors)) tf.dispose(list);
}
