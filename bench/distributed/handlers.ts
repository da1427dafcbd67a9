import { InvalidArgumentError } from '../../src/errors.js';
import type { JobHandlers } from '../../src/queue/worker.js';
import { globalTask } from '../search/synthetic.js';

/** Job kind of a synthetic-task sample (`bench/search/synthetic.ts`'s global task). */
export const SYNTHETIC_JOB = 'synthetic-sample';
/** Job kind of a sample of fixed CPU work. */
export const FIXED_COST_JOB = 'fixed-cost';

/** A synthetic sample: the task's seed, the density, and how long the "compression" takes. */
export interface SyntheticJob {
  seed: number;
  density: number;
  /** Wall time the sample pretends to take, ms (so that a worker can be killed mid-job). */
  delayMs?: number;
}

/** A fixed amount of single-core arithmetic (`iterations` steps), the same on every worker. */
export interface FixedCostJob {
  iterations: number;
  /** Makes otherwise equal jobs distinct (their ids are the payload's hash). */
  index: number;
}

/**
 * Job handlers for the distributed tests and benchmark, loaded into a worker with
 * `condensa worker --handlers bench/distributed/handlers.ts` (under tsx).
 */
export const handlers: JobHandlers = {
  [SYNTHETIC_JOB]: async (data) => {
    const job = data as SyntheticJob;
    if (!(typeof job.density === 'number' && job.density > 0 && job.density <= 1)) {
      throw new InvalidArgumentError(
        `synthetic sample: density must be in (0, 1], got ${JSON.stringify(job.density)}`,
      );
    }
    if (!Number.isInteger(job.seed)) {
      throw new InvalidArgumentError(
        `synthetic sample: seed must be an integer, got ${JSON.stringify(job.seed)}`,
      );
    }
    if (job.delayMs) await new Promise((r) => setTimeout(r, job.delayMs));
    const outcome = await globalTask(job.seed).sample(job.density, { index: 0 });
    return { ...outcome };
  },
  [FIXED_COST_JOB]: async (data) => {
    const { iterations } = data as FixedCostJob;
    if (!(Number.isInteger(iterations) && iterations > 0)) {
      throw new InvalidArgumentError(
        `fixed-cost sample: iterations must be a positive integer, got ${iterations}`,
      );
    }
    // In slices with a yield between them, as training yields between minibatches: a worker
    // whose event loop is blocked cannot renew its job's lock and would be taken for dead.
    let x = 0;
    for (let start = 0; start < iterations; start += 100_000) {
      for (let i = start; i < Math.min(iterations, start + 100_000); i++) x += Math.sin(i) * Math.cos(x);
      await new Promise((r) => setImmediate(r));
    }
    return { accuracy: 1, objective: x };
  },
};
