/** Options of `condensa sensitivity` a queued probe carries to its worker. */
interface ProbeFlags {
  queue: string;
  dataset: string;
  val: number;
  calibration: number;
  seed: number;
  importance: string;
  granularity: 'structure' | 'weight';
}

/**
 * `condensa sensitivity --queue`: a job queue on the Redis server and the probe function that
 * sends each (layer, density) there as a `probe` job carrying the model's reference and the
 * recipe of this command's data, which `condensa worker`'s built-in probe handler rebuilds.
 * The queue modules load only when `--queue` is given.
 */
export async function openProbeQueue(
  opts: ProbeFlags,
  modelDir: string,
): Promise<{ probe: (layer: string, density: number) => Promise<number>; close: () => Promise<void> }> {
  const { JobQueue, modelRef, queueProbeFn } = await import('../queue/index.js');
  const model = await modelRef(modelDir);
  const queue = await JobQueue.open({ redis: opts.queue });
  const probe = queueProbeFn(queue, {
    model,
    data: { dataset: opts.dataset, split: 'validation', count: opts.val, seed: opts.seed },
    scheme: {
      probe: 'sensitivity',
      granularity: opts.granularity,
      importance: opts.importance,
      calibration: opts.calibration,
    },
    optimizer: { kind: 'direct', seed: opts.seed },
  });
  return { probe, close: () => queue.close() };
}
