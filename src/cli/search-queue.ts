import type { SampleRunner } from '../compressor/search-options.js';
import { hasWithDensity, schemeDensity } from '../optimizers/density-schemes.js';
import { StructuredScheme } from '../schemes/index.js';
import type { Scheme } from '../schemes/scheme.js';
import { UsageError } from './errors.js';

/** Options of `condensa compress` a queued search sample carries to its worker. */
interface SearchQueueFlags {
  queue?: string;
  batch: number;
  dataset: string;
  train: number;
  val: number;
  seed: number;
}

/**
 * Refuses `--queue` (before any work) unless the spec leaves the density to a search: the queue
 * runs search samples, and a spec with a density runs no search. The test is the Compressor's
 * (no objective on the command line): no global density and no per-layer densities. `--batch`
 * without `--queue` is refused too: it would change nothing.
 */
export function checkQueueServesSearch(
  { queue, batch }: Pick<SearchQueueFlags, 'queue' | 'batch'>,
  scheme: Scheme,
): void {
  if (queue === undefined) {
    if (batch !== 1)
      throw new UsageError('--batch sets how many samples go to the workers at once: it needs --queue');
    return;
  }
  const searches =
    hasWithDensity(scheme) && schemeDensity(scheme) === undefined && scheme.toJSON().densities === undefined;
  if (!searches) {
    throw new UsageError(
      `--queue only serves a density search, and this ${scheme.kind} spec sets its density: ` +
        'drop "density"/"densities" from the spec to search it on the workers, or drop --queue',
    );
  }
}

/**
 * `condensa compress --queue`: the Compressor's sample runner on a job queue, `--batch` samples
 * proposed at a time. Each sample is a `sample` job naming the model by path and hash, the
 * validation split and training subset this command cuts (same counts, same seed), the
 * search's default optimizer (`direct`) and objective (non-zero parameters, or parameters of
 * the compacted model for a structured scheme), so a worker measures what the in-process search
 * would. The queue modules load only when `--queue` is given.
 */
export async function openSearchQueue(
  opts: SearchQueueFlags,
  scheme: Scheme,
  modelDir: string,
): Promise<{ runner: SampleRunner; close: () => Promise<void> } | undefined> {
  if (opts.queue === undefined) return undefined;
  const { JobQueue, modelRef, queueSampleRunner } = await import('../queue/index.js');
  const model = await modelRef(modelDir);
  const compacted = scheme instanceof StructuredScheme;
  const queue = await JobQueue.open({ redis: opts.queue });
  const runner = queueSampleRunner(
    queue,
    {
      model,
      data: { dataset: opts.dataset, split: 'validation', count: opts.val, seed: opts.seed },
      optimizer: { kind: 'direct', trainCount: opts.train, seed: opts.seed },
      objective: compacted
        ? { name: 'params', compacted: true }
        : { name: 'nonzero-params', compacted: false },
    },
    opts.batch,
  );
  return { runner, close: () => queue.close() };
}
