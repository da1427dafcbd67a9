import type { CaptureMeta, RunCapture } from '../optimizers/run-capture.js';
import { readCheckpointFile, writeCheckpointFile } from '../training/checkpoint-file.js';

export { CHECKPOINT_FILE } from '../training/checkpoint-file.js';

/**
 * The layout of a compression run's checkpoint this version writes and reads. Version 2 stores
 * the run's typed `CaptureMeta` (session state, best model, the recovery method's own state
 * under `method`); version 1 kept the method's values in untyped `scalars` / `tensorNames` bags
 * and is refused with an explanation rather than misread.
 */
export const CHECKPOINT_VERSION = 2;

/** Write a run capture to `dir` atomically (see `writeCheckpointFile`). */
export async function writeCheckpoint(dir: string, fingerprint: string, capture: RunCapture): Promise<void> {
  await writeCheckpointFile(dir, { version: CHECKPOINT_VERSION, fingerprint, data: capture });
}

/**
 * The run capture saved in `dir`, or null; a `DataError` when it is corrupt, of another
 * version, or was written by a run with other settings. The caller owns the returned tensors.
 */
export async function readCheckpoint(dir: string, fingerprint: string): Promise<RunCapture | null> {
  return readCheckpointFile<CaptureMeta>(dir, { version: CHECKPOINT_VERSION, fingerprint });
}
