import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command, InvalidArgumentError as CommanderArgError } from 'commander';
import { InvalidArgumentError } from '../errors.js';
import { DEFAULT_QUEUE_NAME } from '../queue/connection.js';
import type { JobHandlers } from '../queue/worker.js';

const positive = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new CommanderArgError(`${name} must be an integer >= 1, got '${v}'`);
  return n;
};

/** Job handlers exported as `handlers` by a user module (`--handlers`). */
async function loadHandlers(path: string): Promise<JobHandlers> {
  const mod = (await import(pathToFileURL(resolve(path)).href)) as { handlers?: JobHandlers };
  if (!mod.handlers || typeof mod.handlers !== 'object') {
    throw new InvalidArgumentError(
      `--handlers ${path} must export 'handlers': an object of job kind -> async (data, context) => result`,
    );
  }
  return mod.handlers;
}

/**
 * `condensa worker`: serve search samples, sensitivity probes (and other queued jobs) from Redis until stopped. Any
 * number of workers, on any machines that reach the Redis server and hold the models, share the
 * work; SIGTERM or Ctrl-C finishes the jobs in progress, then exits.
 *
 * @example
 * ```sh
 * condensa worker --redis redis://127.0.0.1:6379 --concurrency 1
 * ```
 */
export const workerCommand = new Command('worker')
  .description(
    'run queued search samples and sensitivity probes from Redis (see "Running a search across machines")',
  )
  .requiredOption('--redis <url>', 'Redis server, redis://HOST:PORT')
  .option('--concurrency <n>', 'jobs run at once by this process', positive('--concurrency'), 1)
  .option('--queue <name>', 'queue name shared with the search', DEFAULT_QUEUE_NAME)
  .option('--id <name>', 'worker id recorded with each result (default hostname:pid)')
  .option('--handlers <module>', "extra job kinds: a module exporting 'handlers'")
  .option(
    '--lock-duration <ms>',
    "how soon another worker takes over a dead worker's job",
    positive('--lock-duration'),
    30_000,
  )
  .option(
    '--stalled-interval <ms>',
    "how often to look for dead workers' jobs",
    positive('--stalled-interval'),
    30_000,
  )
  .action(async (opts) => {
    // Loaded here: the built-in handlers pull in tfjs, which `condensa --help` need not load.
    const { mergeHandlers, startWorker } = await import('../queue/worker.js');
    const { sampleJobHandler } = await import('../queue/sample-handler.js');
    const { sensitivityProbeHandler } = await import('../queue/sensitivity-probe.js');
    const { PROBE_JOB, SAMPLE_JOB } = await import('../queue/jobs.js');
    const extra = opts.handlers ? await loadHandlers(opts.handlers) : {};
    const running = await startWorker({
      redis: opts.redis,
      concurrency: opts.concurrency,
      queueName: opts.queue,
      workerId: opts.id,
      handlers: mergeHandlers(
        { [SAMPLE_JOB]: sampleJobHandler(), [PROBE_JOB]: sensitivityProbeHandler() },
        extra,
      ),
      lockDuration: opts.lockDuration,
      stalledInterval: opts.stalledInterval,
      onJob: (e) =>
        console.log(`${e.type} ${e.kind} ${e.jobId}${e.error === undefined ? '' : `: ${e.error}`}`),
    });
    console.log(`worker ${running.workerId} serving queue '${opts.queue}' on ${opts.redis}`);
    await new Promise<void>((done) => {
      const stop = (signal: string) => {
        console.log(`worker ${running.workerId}: ${signal}, finishing the jobs in progress`);
        void running.close().then(done);
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    console.log(`worker ${running.workerId} stopped`);
  });
