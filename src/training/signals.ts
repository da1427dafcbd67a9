import * as tf from '@tensorflow/tfjs';
import { CondensaError } from '../errors.js';

/**
 * Thrown inside a run when the training loss (or a validation loss) is NaN or infinite. The
 * Compressor catches it, restores the last good state, halves the learning rate and retries.
 */
export class DivergenceError extends CondensaError {
  constructor(
    message: string,
    /** The best model found before the run gave up (set by the Compressor); caller owns it. */
    public model: tf.LayersModel | null = null,
  ) {
    super(message);
  }
}

/** Thrown inside a run when its AbortSignal fires; the Compressor turns it into a normal return. */
export class RunAborted extends CondensaError {
  constructor() {
    super('the run was aborted');
  }
}

/** Throw `RunAborted` if `signal` has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new RunAborted();
}
