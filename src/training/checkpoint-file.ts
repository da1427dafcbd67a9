import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { DataError } from '../errors.js';

/** Name of the checkpoint's JSON file inside a checkpoint directory. */
export const CHECKPOINT_FILE = 'checkpoint.json';

interface TensorEntry {
  key: string;
  shape: number[];
  dtype: string;
  offset: number;
}

/** A checkpoint's content: JSON metadata (with the step it was taken after) and named tensors. */
export interface CheckpointData<M extends { step: number }> {
  meta: M;
  tensors: Record<string, tf.Tensor[]>;
}

/**
 * `checkpoint.json`: who wrote it (`version` of the writer's metadata layout, `fingerprint` of
 * its settings), where the tensors are (`bin`, `bytes`, one entry per tensor) and the metadata.
 */
interface CheckpointFile<M> {
  format: 'condensa-ts-checkpoint';
  version: number;
  fingerprint: string;
  bin: string;
  bytes: number;
  meta: M;
  tensors: TensorEntry[];
}

/**
 * Write a checkpoint to `dir` atomically: the tensors go to a new binary file named after the
 * step, then the JSON that points at it is written to a temporary name and renamed over the
 * previous one (a rename is atomic), and only then is the older binary removed. A crash at any
 * moment leaves either the old or the new checkpoint readable, never a mix. The Compressor and
 * `condensa train` (`trainClassifier`'s `checkpointDir`) both write through this.
 *
 * @example
 * ```ts
 * await writeCheckpointFile(dir, { version: 1, fingerprint: 'my-run', data: { meta: { step: 3 }, tensors: { w: [w] } } });
 * const back = await readCheckpointFile<{ step: number }>(dir, { version: 1, fingerprint: 'my-run' });
 * ```
 */
export async function writeCheckpointFile<M extends { step: number }>(
  dir: string,
  o: { version: number; fingerprint: string; data: CheckpointData<M> },
): Promise<void> {
  const { fingerprint, data: capture } = o;
  await fs.mkdir(dir, { recursive: true });
  const entries: TensorEntry[] = [];
  const chunks: Float32Array[] = [];
  let offset = 0;
  for (const [key, list] of Object.entries(capture.tensors)) {
    for (const t of list) {
      const data = await t.data();
      chunks.push(Float32Array.from(data as ArrayLike<number>));
      entries.push({ key, shape: t.shape, dtype: t.dtype, offset });
      offset += t.size;
    }
  }
  const all = new Float32Array(offset);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  const step = capture.meta.step;
  const bin = `state-${step}-${process.pid}-${Date.now()}.bin`;
  await fs.writeFile(path.join(dir, bin), Buffer.from(all.buffer, all.byteOffset, all.byteLength));
  const previous = await readJson(dir).catch(() => null);
  const file: CheckpointFile<M> = {
    format: 'condensa-ts-checkpoint',
    version: o.version,
    fingerprint,
    bin,
    bytes: all.byteLength,
    meta: capture.meta,
    tensors: entries,
  };
  const tmp = path.join(dir, `${CHECKPOINT_FILE}.${process.pid}.tmp`);
  await fs.writeFile(tmp, JSON.stringify(file));
  await fs.rename(tmp, path.join(dir, CHECKPOINT_FILE));
  if (previous && previous.bin !== bin) await fs.rm(path.join(dir, previous.bin), { force: true });
}

async function readJson<M>(dir: string): Promise<CheckpointFile<M>> {
  return JSON.parse(await fs.readFile(path.join(dir, CHECKPOINT_FILE), 'utf8')) as CheckpointFile<M>;
}

/**
 * Read the checkpoint in `dir`: null when there is none; a `DataError` when it is corrupt or was
 * written by a run with other settings (`fingerprint` differs), so a resume never silently mixes
 * two different runs. The caller owns the returned tensors.
 */
export async function readCheckpointFile<M extends { step: number }>(
  dir: string,
  o: { version: number; fingerprint: string },
): Promise<CheckpointData<M> | null> {
  const { fingerprint } = o;
  let file: CheckpointFile<M>;
  try {
    file = await readJson<M>(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new DataError(
      `checkpoint ${path.join(dir, CHECKPOINT_FILE)} cannot be read: ${(e as Error).message}`,
    );
  }
  const where = path.join(dir, CHECKPOINT_FILE);
  if (file.format !== 'condensa-ts-checkpoint') {
    throw new DataError(`${where} is not a condensa-ts checkpoint`);
  }
  if (file.version !== o.version) {
    throw new DataError(
      `${where} is a version ${String(file.version)} checkpoint; this condensa-ts reads version ` +
        `${o.version} only (the saved state's layout changed). Finish that run with the ` +
        'version that wrote it, or delete the directory to start over.',
    );
  }
  if (file.fingerprint !== fingerprint) {
    throw new DataError(
      `checkpoint in ${dir} was written by a run with other settings; ` +
        `use another checkpointDir or delete it. Checkpoint: ${file.fingerprint}; this run: ${fingerprint}`,
    );
  }
  const buf = await fs.readFile(path.join(dir, file.bin)).catch((e: Error) => {
    throw new DataError(`checkpoint data ${path.join(dir, file.bin)} cannot be read: ${e.message}`);
  });
  if (buf.byteLength !== file.bytes) {
    throw new DataError(
      `checkpoint data ${path.join(dir, file.bin)} has ${buf.byteLength} bytes, expected ${file.bytes}`,
    );
  }
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const tensors: Record<string, tf.Tensor[]> = {};
  for (const e of file.tensors) {
    const size = e.shape.reduce((a, b) => a * b, 1);
    const values = all.subarray(e.offset, e.offset + size);
    const t = tf.tensor(values, e.shape, 'float32');
    const typed = e.dtype === 'float32' ? t : tf.cast(t, e.dtype as tf.DataType);
    if (typed !== t) t.dispose();
    (tensors[e.key] ??= []).push(typed);
  }
  return { meta: file.meta, tensors };
}
