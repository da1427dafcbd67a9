import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { globalTask } from '../bench/search/synthetic.js';
import { InvalidArgumentError } from '../src/errors.js';
import { bayesOptMinimize, globalSearch, type SampleFn } from '../src/search/index.js';
import { seededRandom } from '../src/search/rng.js';

const EPS = { eps: 0.02, mode: 'absolute' as const };
const task = globalTask(5);
const options = { baseAccuracy: task.baseAccuracy, eps: EPS, budget: 8, seed: 5 };

/** The task's sample function, answering after a seeded random delay, so batches finish out of order. */
function outOfOrder(seed: number): { sample: SampleFn<number>; maxInFlight: () => number } {
  const rng = seededRandom(seed);
  let inFlight = 0;
  let max = 0;
  return {
    maxInFlight: () => max,
    sample: async (d, ctx) => {
      max = Math.max(max, ++inFlight);
      await new Promise((r) => setTimeout(r, rng.uniform(0, 20)));
      inFlight--;
      return task.sample(d, ctx);
    },
  };
}

describe('batch global search (q samples at a time)', () => {
  it('runs q samples concurrently and proposes the same ones whatever order they finish in', async () => {
    const a = outOfOrder(1);
    const b = outOfOrder(2);
    const first = await globalSearch({ ...options, sample: a.sample, batchSize: 4 });
    const second = await globalSearch({ ...options, sample: b.sample, batchSize: 4 });
    // Up to q at once (fewer when the spacing between a batch's proposals leaves no candidate).
    expect(a.maxInFlight()).toBeGreaterThan(1);
    expect(a.maxInFlight()).toBeLessThanOrEqual(4);
    expect(second.samples.map((s) => s.density)).toEqual(first.samples.map((s) => s.density));
    expect(first.samples.map((s) => s.index)).toEqual(first.samples.map((_, i) => i));
    expect(first.samples).toHaveLength(8);
    expect(first.best).not.toBeNull();
  });

  it('proposes distinct densities within a batch (the believer moves later proposals away)', async () => {
    const r = await globalSearch({ ...options, sample: task.sample, batchSize: 8, budget: 16 });
    const densities = r.samples.map((s) => s.density);
    expect(new Set(densities).size).toBe(densities.length);
  });

  it('never takes more samples than the budget, whatever q', async () => {
    for (const batchSize of [2, 3, 8]) {
      for (const budget of [3, 5, 8]) {
        const r = await globalSearch({ ...options, sample: task.sample, batchSize, budget });
        expect(r.samples.length, `q ${batchSize}, budget ${budget}`).toBeLessThanOrEqual(budget);
      }
    }
  });

  it('with q = 1 is the sequential search', async () => {
    const sequential = await globalSearch({ ...options, sample: task.sample });
    const q1 = await globalSearch({ ...options, sample: task.sample, batchSize: 1 });
    expect(q1.samples).toEqual(sequential.samples);
  });

  it('resumes from the sample log after failing mid-batch, ending as an uninterrupted run', async () => {
    const runDir = await mkdtemp(join(tmpdir(), 'condensa-batch-'));
    try {
      const uninterrupted = await globalSearch({ ...options, sample: task.sample, batchSize: 3 });
      let calls = 0;
      const dying: SampleFn<number> = async (d, ctx) => {
        if (calls++ === 4) throw new Error('killed');
        return task.sample(d, ctx);
      };
      await expect(globalSearch({ ...options, sample: dying, batchSize: 3, runDir })).rejects.toThrow(
        'killed',
      );
      const computed: number[] = [];
      const resumed = await globalSearch({
        ...options,
        batchSize: 3,
        runDir,
        sample: async (d, ctx) => (computed.push(ctx.index), task.sample(d, ctx)),
      });
      expect(resumed.samples.map((s) => s.density)).toEqual(uninterrupted.samples.map((s) => s.density));
      // Batch 1 (3 samples) was logged; of batch 2, the sample before the failure was logged too.
      expect(resumed.samples.filter((s) => s.replayed)).toHaveLength(4);
      const rest = uninterrupted.samples.slice(4).map((s) => s.index);
      expect(rest.length).toBeGreaterThan(0);
      expect(computed).toEqual(rest);
    } finally {
      await rm(runDir, { recursive: true, force: true });
    }
  });

  it('refuses a batch size that is not a positive integer', async () => {
    await expect(globalSearch({ ...options, sample: task.sample, batchSize: 0 })).rejects.toThrow(
      InvalidArgumentError,
    );
    await expect(globalSearch({ ...options, sample: task.sample, batchSize: 1.5 })).rejects.toThrow(
      /batchSize/,
    );
  });
});

describe('batch bayesOptMinimize', () => {
  const forrester = (x: number[]) => (6 * x[0] - 2) ** 2 * Math.sin(12 * x[0] - 4);

  it('evaluates q points at a time and still finds the Forrester minimum (-6.0207 at 0.7572)', async () => {
    let inFlight = 0;
    let max = 0;
    const f = async (x: number[]) => {
      max = Math.max(max, ++inFlight);
      await new Promise((r) => setTimeout(r, 1));
      inFlight--;
      return forrester(x);
    };
    const r = await bayesOptMinimize(f, { bounds: [[0, 1]], budget: 12, seed: 1, batchSize: 3 });
    expect(max).toBe(3);
    expect(r.xs).toHaveLength(12);
    expect(r.y).toBeLessThan(-5.9);
    expect(Math.abs(r.x[0] - 0.7572)).toBeLessThan(0.02);
  });

  it('with q = 1 is the sequential search', async () => {
    const sequential = await bayesOptMinimize(forrester, { bounds: [[0, 1]], budget: 8, seed: 2 });
    const q1 = await bayesOptMinimize(forrester, { bounds: [[0, 1]], budget: 8, seed: 2, batchSize: 1 });
    expect(q1.xs).toEqual(sequential.xs);
  });
});
