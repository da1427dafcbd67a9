import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueJobError } from '../src/errors.js';
import { JobQueue, PROBE_JOB } from '../src/queue/index.js';
import { condensa, errorLines } from './helpers/cli.js';
import { spawnWorker, type Spawned } from './helpers/queue-processes.js';
import { startRedis, type TestRedis } from './helpers/redis-server.js';

// `condensa compress --queue` and `condensa sensitivity --queue` against two real `condensa
// worker` processes and a real Redis, each compared with the same command run in-process.
let redis: TestRedis;
let workers: Spawned[] = [];
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'condensa-queue-cli-'));
  redis = await startRedis();
  // BullMQ's default lock time: CPU-bound samples on a loaded machine must not be taken over.
  workers = await Promise.all(['w1', 'w2'].map((id) => spawnWorker(redis.url, id, { fastFailover: false })));
});

afterAll(async () => {
  for (const w of workers)
    if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.exited));
  await redis?.stop();
  await rm(scratch, { recursive: true, force: true });
});

/** Jobs of `kind` the workers finished, from their own logs. */
const finished = (kind: string) =>
  workers.flatMap((w) => w.lines.filter((l) => l.startsWith(`finish ${kind} `)));

const ok = (run: { code: number | null; stderr: string }) => {
  if (run.code !== 0) throw new Error(`condensa exited with ${run.code}:\n${run.stderr}`);
};

describe('condensa compress --queue', () => {
  // A tiny search: unstructured pruning without a density, one-shot samples on 300 images.
  const args = [
    'compress',
    '--model',
    'lenet5-mnist',
    '--dataset',
    'mnist',
    '--spec',
    '{"scheme":"Prune"}',
    '--optimizer',
    'direct',
    '--train',
    '200',
    '--val',
    '300',
    '--test',
    '100',
    '--seed',
    '3',
    '--dry-run',
    '--json',
  ];

  it('runs the search samples on the workers and chooses the in-process density', async () => {
    const [local, queued] = await Promise.all([
      condensa(args),
      condensa([...args, '--queue', redis.url, '--batch', '1']),
    ]);
    ok(local);
    ok(queued);
    const a = JSON.parse(local.stdout).search;
    const b = JSON.parse(queued.stdout).search;
    expect(b.samples.length).toBeGreaterThan(2);
    expect(b.chosenDensity).toBe(a.chosenDensity);
    expect(b.samples).toEqual(a.samples);
    // Every sample ran on a worker (the in-process run sent none).
    expect(finished('sample')).toHaveLength(b.samples.length);
  }, 60_000);

  it('refuses --queue with a spec that sets the density, and --batch without --queue, before any work', async () => {
    const finishedBefore = finished('sample').length;
    const withDensity = args.map((a) =>
      a === '{"scheme":"Prune"}' ? '{"scheme":"Prune","density":0.3}' : a,
    );
    const [queued, batched] = await Promise.all([
      condensa([...withDensity, '--queue', redis.url]),
      condensa([...args, '--batch', '2']),
    ]);
    expect(queued.code).not.toBe(0);
    expect(errorLines(queued.stderr).join('\n')).toMatch(
      /--queue only serves a density search.*Prune spec sets its density/,
    );
    expect(batched.code).not.toBe(0);
    expect(errorLines(batched.stderr).join('\n')).toMatch(/--batch .* needs --queue/);
    expect(finished('sample')).toHaveLength(finishedBefore);
  }, 30_000);
});

describe('condensa sensitivity --queue', () => {
  it('gives the in-process profile, its probes run as jobs on the workers', async () => {
    const args = (out: string) => [
      'sensitivity',
      '--model',
      'lenet5-mnist',
      '--dataset',
      'mnist',
      '--sparsities',
      '0,0.5,0.9',
      '--importance',
      'l1',
      '--val',
      '300',
      '--calibration',
      '50',
      '--seed',
      '1',
      '--out',
      join(scratch, out),
    ];
    const [local, queued] = await Promise.all([
      condensa(args('local')),
      condensa([...args('queued'), '--queue', redis.url]),
    ]);
    ok(local);
    ok(queued);
    const read = async (dir: string) =>
      JSON.parse(await readFile(join(scratch, dir, 'sensitivity.json'), 'utf8'));
    const [a, b] = await Promise.all([read('local'), read('queued')]);
    expect(a.layers.length).toBeGreaterThan(1);
    expect(b).toEqual(a);
    // Sparsity 0 is the baseline (no probe): two probes per layer.
    expect(finished('probe')).toHaveLength(2 * a.layers.length);
  }, 60_000);
});

describe("condensa worker's built-in probe handler", () => {
  it('fails a probe it cannot rebuild at once, saying what it serves', async () => {
    const queue = await JobQueue.open({ redis: redis.url });
    try {
      const job = {
        model: { path: '/nowhere', sha256: '0'.repeat(64) },
        data: { dataset: 'mnist', split: 'validation', count: 300, seed: 0 },
        scheme: { scheme: 'Prune' },
        layer: 'conv1',
        density: 0.5,
        optimizer: { kind: 'direct', seed: 0 },
      };
      const failure = queue.run(PROBE_JOB, job);
      await expect(failure).rejects.toBeInstanceOf(QueueJobError);
      await expect(failure).rejects.toThrow(
        /after 1 attempt.*runs sensitivity probes \(scheme.probe: 'sensitivity'\)/,
      );
    } finally {
      await queue.close();
    }
    // Generous: under a loaded CI machine the worker's first failure took over 30 s once.
  }, 120_000);
});
