import { hostname } from 'node:os';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { DataError, InvalidArgumentError, LayerError, SpecError } from '../errors.js';
import { DEFAULT_QUEUE_NAME, redisConnection } from './connection.js';
import type { JobProvenance } from './jobs.js';

/** What a handler knows about the job it runs. */
export interface JobContext {
  jobId: string;
  workerId: string;
  /** 1 for the first attempt. */
  attempt: number;
}

/**
 * Runs one kind of job: validates the payload (throwing `InvalidArgumentError`, `SpecError`,
 * `LayerError` or `DataError` for a payload that can never succeed) and returns a
 * JSON-serialisable result. A handler holding resources (cached models, tensors) releases
 * them in `dispose`, which the worker calls once it has stopped.
 */
export type JobHandler = ((data: unknown, context: JobContext) => Promise<Record<string, unknown>>) & {
  dispose?: () => Promise<void>;
};

/** Handlers by job kind. */
export type JobHandlers = Readonly<Record<string, JobHandler>>;

/**
 * Handlers of several sources in one table; a kind defined twice is an error (the second
 * would silently win otherwise).
 *
 * @example
 * const handlers = mergeHandlers(builtinHandlers(), { 'my-kind': async (data) => ({ ok: true }) });
 */
export function mergeHandlers(...tables: JobHandlers[]): JobHandlers {
  const out: Record<string, JobHandler> = {};
  for (const table of tables) {
    for (const [kind, handler] of Object.entries(table)) {
      if (kind in out) throw new InvalidArgumentError(`job kind '${kind}' has two handlers`);
      if (typeof handler !== 'function') {
        throw new InvalidArgumentError(`the handler of job kind '${kind}' is not a function`);
      }
      out[kind] = handler;
    }
  }
  return out;
}

export interface WorkerOptions {
  /** `redis://HOST:PORT`. */
  redis: string;
  handlers: JobHandlers;
  /** Jobs run at once by this process (default 1: a sample already uses every core it gets). */
  concurrency?: number;
  queueName?: string;
  /** Recorded with every result (default `hostname:pid`). */
  workerId?: string;
  /**
   * How long a job's lock lives without renewal, ms (BullMQ default 30000). A killed worker's job
   * is handed to another worker after about this long.
   */
  lockDuration?: number;
  /** How often this worker looks for stalled jobs, ms (BullMQ default 30000). */
  stalledInterval?: number;
  /** Called when this worker starts, finishes or fails a job (e.g. to log it). */
  onJob?: (event: WorkerJobEvent) => void;
}

/** A job's progress on this worker. */
export interface WorkerJobEvent {
  type: 'start' | 'finish' | 'fail';
  kind: string;
  jobId: string;
  /** The error's message when `type` is 'fail'. */
  error?: string;
}

/** A running worker: `close()` finishes the jobs in progress, then disconnects. */
export interface RunningWorker {
  workerId: string;
  worker: Worker;
  close(): Promise<void>;
}

// Errors that mean the payload itself is wrong: retrying cannot help.
const INPUT_ERRORS = [InvalidArgumentError, SpecError, LayerError, DataError];

/**
 * Serve jobs from the queue: each job goes to the handler of its kind; the result is returned
 * with its provenance (worker id, start and finish time) for the coordinator to record. A job
 * that fails for a reason in its input fails once (BullMQ's `UnrecoverableError`: no retry)
 * with the error's message recorded; other errors are retried as the job's `attempts` allow. A
 * worker killed mid-job loses its lock, and another worker's stalled-job check puts the job back.
 *
 * @example
 * const w = await startWorker({ redis: 'redis://127.0.0.1:6379', handlers: builtinHandlers() });
 * process.once('SIGTERM', () => void w.close());
 */
export async function startWorker(opts: WorkerOptions): Promise<RunningWorker> {
  const concurrency = opts.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new InvalidArgumentError(`concurrency must be an integer >= 1, got ${concurrency}`);
  }
  const workerId = opts.workerId ?? `${hostname()}:${process.pid}`;
  const connection = redisConnection(opts.redis);
  const process_ = async (job: Job): Promise<Record<string, unknown>> => {
    const startedAt = Date.now();
    const handler = opts.handlers[job.name];
    const id = job.id ?? '';
    if (!handler) {
      throw new UnrecoverableError(
        `worker ${workerId} has no handler for job kind '${job.name}' (job ${id}); ` +
          `it knows: ${Object.keys(opts.handlers).join(', ')}`,
      );
    }
    let result: Record<string, unknown>;
    opts.onJob?.({ type: 'start', kind: job.name, jobId: id });
    try {
      result = await handler(job.data, { jobId: id, workerId, attempt: job.attemptsMade + 1 });
    } catch (e) {
      opts.onJob?.({ type: 'fail', kind: job.name, jobId: id, error: (e as Error).message });
      if (INPUT_ERRORS.some((kind) => e instanceof kind)) {
        throw new UnrecoverableError(`invalid ${job.name} job: ${(e as Error).message}`);
      }
      throw e;
    }
    opts.onJob?.({ type: 'finish', kind: job.name, jobId: id });
    const provenance: JobProvenance = {
      jobId: id,
      workerId,
      enqueuedAt: job.timestamp,
      startedAt,
      finishedAt: Date.now(),
      attempts: job.attemptsMade + 1,
    };
    return { ...result, job: provenance };
  };
  const worker = new Worker(opts.queueName ?? DEFAULT_QUEUE_NAME, process_, {
    connection,
    concurrency,
    // BullMQ's defaults apply unless set (an explicit undefined would override them).
    ...(opts.lockDuration === undefined ? {} : { lockDuration: opts.lockDuration }),
    ...(opts.stalledInterval === undefined ? {} : { stalledInterval: opts.stalledInterval }),
    // A job whose worker died twice is more likely to kill workers than to be unlucky.
    maxStalledCount: 1,
  });
  await worker.waitUntilReady();
  return {
    workerId,
    worker,
    close: async () => {
      await worker.close();
      await connection.quit();
      for (const handler of new Set(Object.values(opts.handlers))) await handler.dispose?.();
    },
  };
}
