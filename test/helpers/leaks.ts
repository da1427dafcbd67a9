import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';

/**
 * The one tensor-leak check of the suite: note the live tensor count now, and later assert that
 * it came back. tfjs leaks silently (a tensor not disposed stays alive), so every test that runs
 * tfjs code ends with `leaks.check()`.
 *
 * @example
 * const leaks = trackTensors();
 * model.dispose();
 * leaks.check();
 */
export function trackTensors(): { start: number; check: (extra?: number) => void } {
  const start = tf.memory().numTensors;
  return {
    start,
    /** Assert that exactly `extra` more tensors are alive than at the start (default 0). */
    check: (extra = 0) =>
      expect(tf.memory().numTensors, 'live tensors (a leak when higher)').toBe(start + extra),
  };
}

/** Run `body` and assert that it leaves no tensor behind. */
export async function expectNoLeaks<T>(body: () => T | Promise<T>): Promise<T> {
  const leaks = trackTensors();
  const result = await body();
  leaks.check();
  return result;
}
