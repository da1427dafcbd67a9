import type * as tf from '@tensorflow/tfjs';
import { randomBytes } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CondensaError } from '../errors.js';
import { saveModel, type SaveModelOptions, type SaveModelResult } from '../io/save.js';

/** The final save failed and the model was written elsewhere; the message names both places. */
export class OutputLostError extends CondensaError {}

/**
 * Save the command's result to `dir`, plus extra JSON files (e.g. summary.json) next to it. The
 * location was checked before the work started, but a disk can fill or a directory vanish in
 * between: then the model is written to a fresh directory under the system temp dir and the
 * error names it, so minutes of compression are never lost.
 */
export async function saveOrRecover(
  model: tf.LayersModel,
  dir: string,
  opts: SaveModelOptions & { extraJson?: Record<string, unknown> },
): Promise<SaveModelResult> {
  const write = async (to: string): Promise<SaveModelResult> => {
    const saved = await saveModel(model, to, opts);
    for (const [file, value] of Object.entries(opts.extraJson ?? {})) {
      // Same-directory temp + rename: a reader never sees a half-written file.
      const tmp = join(saved.dir, `.${file}.tmp`);
      await writeFile(tmp, JSON.stringify(value, null, 2) + '\n');
      await rename(tmp, join(saved.dir, file));
    }
    return saved;
  };
  try {
    return await write(dir);
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n', 1)[0] : String(e);
    const rescue = join(tmpdir(), `condensa-recovered-${randomBytes(4).toString('hex')}`);
    try {
      await write(rescue);
    } catch {
      throw new OutputLostError(
        `saving to ${dir} failed (${why}), and so did saving to ${rescue}; free some disk space and re-run`,
      );
    }
    throw new OutputLostError(
      `saving to ${dir} failed (${why}); the model was written to ${rescue} instead: move it where you want it`,
    );
  }
}
