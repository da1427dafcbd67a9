import { JobQueue } from '../../src/queue/job-queue.js';
import { queueSampleFn } from '../../src/queue/queue-sample-fn.js';
import { globalSearch, type SearchResult } from '../../src/search/index.js';
import { globalTask } from '../search/synthetic.js';
import { SYNTHETIC_JOB, type SyntheticJob } from './handlers.js';

/** A global search on the synthetic task of `seed`. */
export interface SyntheticSearch {
  seed: number;
  budget: number;
  /** Samples proposed at a time (q). */
  batchSize: number;
  /** Sample log directory (resume after a restart). */
  runDir?: string;
}

const EPS = { eps: 0.02, mode: 'absolute' as const };

/** The search run in this process, each sample computed on the spot. */
export function searchInProcess(s: SyntheticSearch): Promise<SearchResult<number>> {
  const task = globalTask(s.seed);
  return globalSearch({
    sample: task.sample,
    baseAccuracy: task.baseAccuracy,
    eps: EPS,
    budget: s.budget,
    seed: s.seed,
    batchSize: s.batchSize,
    runDir: s.runDir,
  });
}

/** The same search with every sample a `synthetic-sample` job taking `delayMs` on a worker. */
export function searchOnQueue(
  queue: JobQueue,
  s: SyntheticSearch & { delayMs: number },
): Promise<SearchResult<number>> {
  const task = globalTask(s.seed);
  return globalSearch({
    sample: queueSampleFn(queue, SYNTHETIC_JOB, (density: number): SyntheticJob => ({
      seed: s.seed,
      density,
      delayMs: s.delayMs,
    })),
    baseAccuracy: task.baseAccuracy,
    eps: EPS,
    budget: s.budget,
    seed: s.seed,
    batchSize: s.batchSize,
    runDir: s.runDir,
  });
}
