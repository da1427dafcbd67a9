import type * as tf from '@tensorflow/tfjs';
import {
  cloneModel,
  disposeSnapshot,
  restoreSnapshot,
  takeSnapshot,
  type ModelSnapshot,
} from './snapshot.js';

/**
 * The best candidate of a run so far: a snapshot of the model with the lowest validation loss,
 * that loss, and the outer step that produced it.
 *
 * @example
 * ```ts
 * const best = new BestModel();
 * best.consider(candidate, val.loss, step); // keeps a snapshot when val.loss is the lowest yet
 * const winner = best.model(candidate); // a new model holding the best snapshot
 * best.dispose();
 * ```
 */
export class BestModel {
  snapshot: ModelSnapshot | null = null;
  loss = Infinity;
  step = -1;

  /** Keep a snapshot of `model` when `loss` beats the best so far; true when it did. */
  consider(model: tf.LayersModel, loss: number, step: number): boolean {
    if (!(loss < this.loss)) return false;
    disposeSnapshot(this.snapshot);
    this.snapshot = takeSnapshot(model);
    this.loss = loss;
    this.step = step;
    return true;
  }

  /** A new model (the caller owns it) like `template`, holding the best snapshot if any. */
  model(template: tf.LayersModel): tf.LayersModel {
    const m = cloneModel(template);
    if (this.snapshot) restoreSnapshot(m, this.snapshot);
    return m;
  }

  /** Replace the best with `snapshot` (owned from now on), or clear it. */
  set(snapshot: ModelSnapshot | null, loss: number, step: number): void {
    disposeSnapshot(this.snapshot);
    this.snapshot = snapshot;
    this.loss = snapshot ? loss : Infinity;
    this.step = snapshot ? step : -1;
  }

  dispose(): void {
    this.set(null, Infinity, -1);
  }
}
