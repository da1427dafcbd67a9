import type { Density, SampleFn, SampleOutcome } from '../search/types.js';
import type { JobQueue } from './job-queue.js';

/**
 * A search's sample function that runs each sample as a queued job: `payload(density)` is the
 * job's input (everything a worker needs to reproduce the sample), and the worker's result, with
 * its provenance under `job`, becomes the sample's outcome, so the sample log records which
 * worker ran it and when. Give the search `batchSize` = the number of workers to keep them busy.
 *
 * @example
 * const queue = await JobQueue.open({ redis: 'redis://127.0.0.1:6379' });
 * const result = await globalSearch({
 *   sample: queueSampleFn(queue, 'sample', (density) => ({ ...template, density })),
 *   baseAccuracy: 0.92, eps: { eps: 0.02, mode: 'absolute' }, budget: 8, batchSize: 4,
 * });
 */
export function queueSampleFn<D extends Density>(
  queue: JobQueue,
  kind: string,
  payload: (density: D) => unknown,
): SampleFn<D> {
  return async (density) => (await queue.run(kind, payload(density))) as SampleOutcome;
}
