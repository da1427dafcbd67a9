import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { progressBar } from '../src/compressor/index.js';

describe('progressBar', () => {
  it('renders iterations, loss and ETA, and logs one line per step', () => {
    let out = '';
    const stream = new Writable({
      write(chunk, _enc, done) {
        out += chunk.toString();
        done();
      },
    }) as unknown as NodeJS.WritableStream & { isTTY?: boolean };
    const bar = progressBar({ total: 4, stream });
    bar.onEvent({
      type: 'iteration',
      step: 1,
      steps: 3,
      iteration: 0,
      iterations: 4,
      loss: 0.5,
      lr: 0.01,
      eta: 90,
    });
    bar.onEvent({
      type: 'step',
      step: 1,
      steps: 3,
      eta: 30,
      stats: {
        step: 1,
        lr: 0.01,
        mu: 0.1,
        trainLoss: 0.5,
        iterations: 4,
        val: { loss: 0.3, accuracy: 0.9512, count: 100 },
        test: null,
        density: {},
        elapsedMs: 10,
      },
    });
    bar.onEvent({ type: 'divergence', step: 2, count: 1, lrScale: 0.5, message: 'training loss became NaN' });
    bar.stop();
    expect(out).toContain('step 1: val acc 95.12%, mu 1.00e-1');
    expect(out).toContain('divergence 1: training loss became NaN; lr x0.5');
  });
});
