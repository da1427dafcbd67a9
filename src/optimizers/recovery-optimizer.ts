import type * as tf from '@tensorflow/tfjs';
import type { MethodState, SavedState } from './method-state.js';
import type { Run } from './run.js';

/**
 * An accuracy-recovery method (L-C, direct compression, fine-tuning, iterative or gradual
 * pruning), written as a sequence of outer steps over a shared `Run`. Everything that must
 * survive a step boundary lives in the run (working model, best model, data-stream and
 * optimizer state) or in the method's own typed `run.state` (e.g. L-C's multipliers and mu),
 * so the Compressor can checkpoint, resume, abort and recover from divergence the same way
 * for all.
 */
export interface RecoveryOptimizer {
  /** Short name used in logs, stats and checkpoint fingerprints (e.g. `'LC'`). */
  readonly name: string;
  /** Options as JSON (checkpoints refuse to resume a run made with different ones). */
  toJSON(): Record<string, unknown>;
  /** Outer steps and total minibatch iterations of a full run (for progress and ETA). */
  plan(run: Run): { steps: number; iterations: number };
  /** Set up `run.state` for a fresh run (not called when resuming from a checkpoint). */
  start(run: Run): Promise<void>;
  /** Rebuild the state `start` set from its checkpointed form (methods with a state only). */
  loadState?(saved: SavedState): MethodState;
  /** Run outer step `j`; must record its statistics with `run.record(...)`. */
  step(run: Run, j: number): Promise<void>;
  /** The final compressed model, a new model the caller owns (e.g. the best on validation). */
  finish(run: Run): Promise<tf.LayersModel>;
}
