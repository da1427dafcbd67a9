import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';

/** A labelled batch: inputs and (one-hot or sparse) labels. */
// A type alias (not an interface) so that it satisfies tf.data's TensorContainer constraint.
export type Batch = {
  xs: tf.Tensor;
  ys: tf.Tensor;
};

/** Training or evaluation data: whole tensors, or a `tf.data.Dataset` of batches. */
export type Data = Batch | tf.data.Dataset<Batch>;

/** Where a batch stream stands, as plain JSON (stored in checkpoints). */
export interface StreamState {
  /** Completed passes over the data. */
  epoch: number;
  /** Batches taken in the current pass. */
  position: number;
}

function isDataset(d: Data): d is tf.data.Dataset<Batch> {
  return typeof (d as tf.data.Dataset<Batch>).iterator === 'function';
}

/** The number of examples in tensor data, or null for a dataset. */
export function exampleCount(data: Data): number | null {
  return isDataset(data) ? null : data.xs.shape[0];
}

// A 32-bit mix of (seed, epoch): each pass gets its own order, computable from the pair alone,
// so a resumed run reproduces the order without storing generator state.
function epochSeed(seed: number, epoch: number): number {
  let h = (seed ^ Math.imul(epoch + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

function shuffledOrder(n: number, seed: number): Int32Array {
  let s = seed >>> 0;
  const rand = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const tmp = order[i];
    order[i] = order[j];
    order[j] = tmp;
  }
  return order;
}

/**
 * An endless, resumable stream of training minibatches. Tensor data is reshuffled every pass
 * with an order derived from `(seed, epoch)` (the last partial batch of a pass is dropped, as
 * in most training loops); a `tf.data.Dataset` is iterated as given and restarted when it ends
 * (its own shuffling decides the order: for an exact resume it must give the same order on
 * every iteration). `state()`/`restore()` let checkpoints continue mid-pass.
 *
 * @example
 * const stream = new BatchStream({ xs, ys }, { batchSize: 32, seed: 1 });
 * const { xs: bx, ys: by } = await stream.next(); // caller disposes bx, by
 */
export class BatchStream {
  private epoch = 0;
  private position = 0;
  private order: Int32Array | null = null;
  private iterator: Awaited<ReturnType<tf.data.Dataset<Batch>['iterator']>> | null = null;

  constructor(
    private readonly data: Data,
    private readonly opts: { batchSize: number; seed: number },
  ) {
    if (!(Number.isInteger(opts.batchSize) && opts.batchSize >= 1)) {
      throw new InvalidArgumentError(`batchSize must be an integer >= 1, got ${opts.batchSize}`);
    }
    const n = exampleCount(data);
    if (n !== null && n < opts.batchSize) {
      throw new InvalidArgumentError(
        `training data has ${n} examples, fewer than batchSize ${opts.batchSize}`,
      );
    }
  }

  state(): StreamState {
    return { epoch: this.epoch, position: this.position };
  }

  /** Continue from a saved state (for a dataset this re-reads and skips the consumed batches). */
  async restore(s: StreamState): Promise<void> {
    this.epoch = s.epoch;
    this.position = 0;
    this.order = null;
    this.iterator = null;
    if (isDataset(this.data)) {
      for (let i = 0; i < s.position; i++) tf.dispose(Object.values(await this.nextFromDataset()));
    }
    this.position = s.position;
  }

  /** The next minibatch; the caller owns (and disposes) its tensors. */
  async next(): Promise<Batch> {
    const b = isDataset(this.data) ? await this.nextFromDataset() : this.nextFromTensors(this.data);
    this.position++;
    return b;
  }

  private nextFromTensors(data: Batch): Batch {
    const n = data.xs.shape[0];
    const bs = this.opts.batchSize;
    if ((this.position + 1) * bs > n) {
      this.epoch++;
      this.position = 0;
      this.order = null;
    }
    if (!this.order) this.order = shuffledOrder(n, epochSeed(this.opts.seed, this.epoch));
    const idx = this.order.subarray(this.position * bs, (this.position + 1) * bs);
    return tf.tidy(() => {
      const i = tf.tensor1d(idx, 'int32');
      return { xs: tf.gather(data.xs, i), ys: tf.gather(data.ys, i) };
    });
  }

  private async nextFromDataset(): Promise<Batch> {
    for (let attempt = 0; attempt < 2; attempt++) {
      if (!this.iterator) this.iterator = await (this.data as tf.data.Dataset<Batch>).iterator();
      const r = await this.iterator.next();
      if (!r.done) return r.value;
      this.iterator = null;
      this.epoch++;
      this.position = 0;
    }
    throw new InvalidArgumentError('the training dataset yields no batches');
  }
}

/**
 * Calls `fn` on consecutive batches of `data` (tensor data is sliced in order, `batchSize`
 * examples at a time; a dataset is iterated once). Batch tensors are disposed after `fn`.
 */
export async function forEachBatch(
  data: Data,
  batchSize: number,
  fn: (b: Batch) => void | Promise<void>,
  limit = Infinity,
): Promise<void> {
  if (isDataset(data)) {
    const it = await data.iterator();
    let seen = 0;
    while (seen < limit) {
      const r = await it.next();
      if (r.done) break;
      const b = r.value;
      try {
        await fn(b);
      } finally {
        tf.dispose([b.xs, b.ys]);
      }
      seen += b.xs.shape[0];
    }
    return;
  }
  const n = Math.min(data.xs.shape[0], limit);
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const b = tf.tidy(() => ({
      xs: tf.slice(data.xs, start, size),
      ys: tf.slice(data.ys, start, size),
    }));
    try {
      await fn(b);
    } finally {
      tf.dispose([b.xs, b.ys]);
    }
  }
}
