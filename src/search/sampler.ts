import { join } from 'node:path';
import { InvalidArgumentError, CondensaError } from '../errors.js';
import { SAMPLE_LOG_NAME, SampleLog } from './sample-log.js';
import type { Density, Sample, SampleFn } from './types.js';

/** Options every search shares for running and recording samples. */
export interface SamplingOptions {
  /** Directory of the JSON-lines sample log; a search given an existing log resumes from it. */
  runDir?: string;
  /** Log file name inside `runDir` (default `search-samples.jsonl`). */
  logName?: string;
  /** Abort between samples (the running sample also receives the signal). */
  signal?: AbortSignal;
  /** Called after each sample (replayed ones included), e.g. to print a trace. */
  onSample?: (sample: Sample<Density>) => void;
}

/**
 * Runs a search's samples: replays those already in the log, calls the sample function for
 * the others, validates what it returns, and appends each finished sample to the log.
 */
export class Sampler<D extends Density> {
  readonly samples: Sample<D>[] = [];

  private constructor(
    private readonly fn: SampleFn<D>,
    private readonly threshold: number,
    private readonly log: SampleLog<D> | null,
    private readonly opts: SamplingOptions,
  ) {}

  static async create<D extends Density>(
    fn: SampleFn<D>,
    threshold: number,
    header: Record<string, unknown>,
    opts: SamplingOptions,
  ): Promise<Sampler<D>> {
    if (typeof fn !== 'function') throw new InvalidArgumentError('the search needs a sample function');
    const log = opts.runDir
      ? await SampleLog.open<D>(join(opts.runDir, opts.logName ?? SAMPLE_LOG_NAME), header)
      : null;
    return new Sampler(fn, threshold, log, opts);
  }

  /** Take (or replay) the next sample at `density`. */
  async take(density: D, sparsity: number, coordinates: number[]): Promise<Sample<D>> {
    const [sample] = await this.takeMany([{ density, sparsity, coordinates }]);
    return sample;
  }

  /**
   * Take (or replay) the next `proposals.length` samples at once: the sample function runs for
   * all of them concurrently (a batch search keeps that many workers busy), they may finish in
   * any order, and they are recorded in proposal order. If some fail, the finished ones before
   * the first failure are still recorded, then the first error is thrown; a sample function
   * backed by a job queue with idempotent job ids gets the others back without recomputing them.
   */
  async takeMany(proposals: readonly Proposal<D>[]): Promise<Sample<D>[]> {
    const first = this.samples.length;
    const replayed = proposals.map((p, i) => this.log?.recorded(first + i, p.density) ?? null);
    if (replayed.some((r) => r === null)) this.opts.signal?.throwIfAborted();
    const settled = await Promise.allSettled(proposals.map((p, i) => replayed[i] ?? this.run(first + i, p)));
    const out: Sample<D>[] = [];
    for (let i = 0; i < settled.length; i++) {
      const r = settled[i];
      if (r.status === 'rejected') throw r.reason;
      if (!r.value.replayed) await this.log?.append(r.value);
      this.samples.push(r.value);
      this.opts.onSample?.(r.value as Sample<Density>);
      out.push(r.value);
    }
    return out;
  }

  private async run(index: number, { density, sparsity, coordinates }: Proposal<D>): Promise<Sample<D>> {
    const outcome = await this.fn(density, { index, signal: this.opts.signal });
    const { accuracy, objective, ...extra } = outcome ?? {};
    if (!Number.isFinite(accuracy) || !Number.isFinite(objective)) {
      throw new CondensaError(
        `sample ${index} at density ${JSON.stringify(density)} returned accuracy ${accuracy} and objective ` +
          `${objective}; both must be finite numbers`,
      );
    }
    return {
      index,
      density,
      sparsity,
      coordinates,
      accuracy,
      objective,
      feasible: accuracy >= this.threshold,
      extra: extra as Record<string, unknown>,
      replayed: false,
    };
  }
}

/** Where a search wants a sample: the density handed to the sample function, and how it logs it. */
export interface Proposal<D extends Density> {
  density: D;
  sparsity: number;
  coordinates: number[];
}
