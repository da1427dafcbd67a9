import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeEach, expect } from 'vitest';
import { clearPruning } from '../../src/pruning/state.js';

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

/**
 * For a test file whose tests build models: models passed to the returned `track` are disposed
 * with their pruning state after each test, and then the test must have left no tensor behind.
 *
 * @example
 * const track = disposeEachTest();
 * it('prunes', () => { const m = track(seedNet()); new Prune(0.5).pi(m); });
 */
export function disposeEachTest(): <T extends tf.LayersModel>(m: T) => T {
  let leaks = trackTensors();
  const models: tf.LayersModel[] = [];
  beforeEach(() => {
    leaks = trackTensors();
  });
  afterEach(() => {
    for (const m of models.splice(0)) {
      clearPruning(m);
      m.dispose();
    }
    leaks.check();
  });
  return (m) => {
    models.push(m);
    return m;
  };
}
