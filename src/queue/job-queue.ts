import { Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { QueueJobError } from '../errors.js';
import { DEFAULT_QUEUE_NAME, redisConnection } from './connection.js';
import { jobId } from './job-id.js';
import type { JobProvenance } from './jobs.js';

export interface JobQueueOptions {
  /** `redis://HOST:PORT`. */
  redis: string;
  queueName?: string;
  /**
   * Attempts per job for failures that may be transient (default 3, one second apart). Input
   * errors fail at once whatever this says; a killed worker's job is retried without using one.
   */
  attempts?: number;
}

/**
 * The coordinator's side of the queue: `run(kind, payload)` enqueues a job whose id is the hash
 * of its inputs and resolves with the worker's result once it has finished, wherever it ran.
 * Because the id is the inputs' hash, a job enqueued again after a coordinator restart is the
 * same job: a finished one returns its recorded result, a running one is waited for, nothing is
 * computed twice. Finished jobs stay in Redis (that is the durable record); remove them with
 * `obliterate` when a search is over for good.
 *
 * @example
 * const queue = await JobQueue.open({ redis: 'redis://127.0.0.1:6379' });
 * const result = await queue.run('sample', payload);
 * await queue.close();
 */
export class JobQueue {
  private constructor(
    readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly connections: Redis[],
    private readonly attempts: number,
  ) {}

  static async open(opts: JobQueueOptions): Promise<JobQueue> {
    const name = opts.queueName ?? DEFAULT_QUEUE_NAME;
    const queueConnection = redisConnection(opts.redis);
    const eventsConnection = redisConnection(opts.redis);
    const queue = new Queue(name, { connection: queueConnection });
    const events = new QueueEvents(name, { connection: eventsConnection });
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    // Every waiting search holds listeners on the one events stream.
    events.setMaxListeners(0);
    queue.setMaxListeners(0);
    return new JobQueue(queue, events, [queueConnection, eventsConnection], opts.attempts ?? 3);
  }

  /**
   * Enqueue (or find) the job `kind` with `payload` and wait for its result. Rejects with a
   * `QueueJobError` carrying the worker's error when the job failed.
   */
  async run<R extends Record<string, unknown>>(
    kind: string,
    payload: unknown,
  ): Promise<R & { job: JobProvenance }> {
    const id = jobId(kind, payload);
    const job = await this.queue.add(kind, payload, {
      jobId: id,
      attempts: this.attempts,
      backoff: { type: 'fixed', delay: 1000 },
      removeOnComplete: false,
      removeOnFail: false,
    });
    try {
      return (await job.waitUntilFinished(this.events)) as R & { job: JobProvenance };
    } catch (e) {
      const failed = await Job.fromId(this.queue, id);
      const reason = failed?.failedReason || (e as Error).message;
      throw new QueueJobError(
        id,
        `${kind} job ${id} failed after ${failed?.attemptsMade ?? '?'} attempt(s): ${reason}` +
          ` (the failed job stays in Redis; remove it, e.g. with Queue.remove('${id}'), to run it again)`,
      );
    }
  }

  /** Close the connections (jobs in Redis are kept). */
  async close(): Promise<void> {
    await this.events.close();
    await this.queue.close();
    await Promise.all(this.connections.map((c) => c.quit()));
  }
}
