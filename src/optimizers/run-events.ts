import type { Evaluation } from '../training/evaluate.js';

/** Statistics of one outer step of a run. */
export interface StepStats {
  step: number;
  /** Learning rate at the start of the step's training (0 when the step does not train). */
  lr: number;
  /** L-C penalty weight used in the step's L step (L-C only). */
  mu?: number;
  /** Mean training loss over the step's minibatches (null when the step does not train). */
  trainLoss: number | null;
  /** Minibatch iterations run in this step. */
  iterations: number;
  /** The step's candidate (compressed) model on validation and test data. */
  val: Evaluation | null;
  test: Evaluation | null;
  /** Fraction of non-zero entries of each weight the scheme targets, keyed `layer/weight`. */
  density: Record<string, number>;
  /** Milliseconds since the run started (summed over resumed sessions). */
  elapsedMs: number;
  /** Method-specific values (e.g. L-C's multiplier norm, a pruning round's target density). */
  extra?: Record<string, number>;
}

/** Progress events of a run. `eta` is the estimated seconds left (null until known). */
export type RunEvent =
  | {
      type: 'iteration';
      step: number;
      steps: number;
      iteration: number;
      iterations: number;
      loss: number;
      lr: number;
      eta: number | null;
    }
  | { type: 'step'; step: number; steps: number; stats: StepStats; eta: number | null }
  | { type: 'divergence'; step: number; count: number; lrScale: number; message: string }
  | { type: 'resume'; step: number };
