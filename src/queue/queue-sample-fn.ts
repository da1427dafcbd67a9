import type { Density, SampleFn, SampleOutcome } from '../search/types.js';
import type { SampleRunner } from '../compressor/search-options.js';
import type { JobQueue } from './job-queue.js';
import { PROBE_JOB, SAMPLE_JOB, type ProbeJob, type SampleJob } from './jobs.js';

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

/**
 * The Compressor's `queue` option on a job queue: each search sample becomes a `sample` job
 * made of `template` (model reference, data recipe, optimizer, objective) plus the scheme's spec
 * at the sample's density; `batchSize` samples are proposed at a time.
 *
 * @example
 * const queue = await JobQueue.open({ redis: 'redis://127.0.0.1:6379' });
 * const template = {
 *   model: await modelRef('assets/models/lenet5-mnist'),
 *   data: { dataset: 'mnist', split: 'validation', count: 2000, seed: 0 },
 *   optimizer: { kind: 'direct', seed: 0 },
 *   objective: { name: 'nonzero-params', compacted: false },
 * } as const;
 * const result = await new Compressor({ ...options, queue: queueSampleRunner(queue, template, 4) }).run();
 */
export function queueSampleRunner(
  queue: JobQueue,
  template: Omit<SampleJob, 'scheme' | 'density'>,
  batchSize: number,
): SampleRunner {
  return {
    batchSize,
    sample: async (scheme, density) => {
      const job: SampleJob = { ...template, scheme, density };
      return (await queue.run(SAMPLE_JOB, job)) as SampleOutcome;
    },
  };
}

/**
 * A sensitivity probe function on a job queue: `(layer, density)` becomes a `probe` job made of
 * `template` plus the layer and density, resolving with the accuracy its worker measured
 * (workers serve it with `probeJobHandler`). Fits `perLayerSearch`'s `profile` option.
 *
 * @example
 * const profile = queueProbeFn(queue, { model, data, scheme: { scheme: 'Prune' }, optimizer });
 * const accuracy = await profile('conv2', 0.3);
 */
export function queueProbeFn(
  queue: JobQueue,
  template: Omit<ProbeJob, 'layer' | 'density'>,
): (layer: string, density: number) => Promise<number> {
  return async (layer, density) => {
    const job: ProbeJob = { ...template, layer, density };
    return (await queue.run(PROBE_JOB, job)).accuracy as number;
  };
}
