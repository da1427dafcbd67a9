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
    const index = this.samples.length;
    let sample = this.log?.recorded(index, density) ?? null;
    if (!sample) {
      this.opts.signal?.throwIfAborted();
      const outcome = await this.fn(density, { index, signal: this.opts.signal });
      const { accuracy, objective, ...extra } = outcome ?? {};
      if (!Number.isFinite(accuracy) || !Number.isFinite(objective)) {
        throw new CondensaError(
          `sample ${index} at density ${JSON.stringify(density)} returned accuracy ${accuracy} and objective ` +
            `${objective}; both must be finite numbers`,
        );
      }
      sample = {
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
      await this.log?.append(sample);
    }
    this.samples.push(sample);
    this.opts.onSample?.(sample as Sample<Density>);
    return sample;
  }
}
