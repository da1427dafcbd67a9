import type * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataError, InvalidArgumentError } from '../errors.js';
import { loadModel, readRecord } from '../io/load.js';

/** Pretrained reference models committed under assets/models/. */
export const PRETRAINED = ['lenet5-mnist', 'seednet-0.25-cifar10'] as const;
export type PretrainedName = (typeof PRETRAINED)[number];

/**
 * Directory of a pretrained model. Resolved from this module's own location, which is two levels
 * below the package root both in the sources (src/models) and in the build (dist/models), so it
 * works from a clone, from `npm install`, and under any working directory.
 */
export function pretrainedDir(name: PretrainedName): string {
  if (!(PRETRAINED as readonly string[]).includes(name)) {
    throw new InvalidArgumentError(`unknown pretrained model '${name}'; accepted: ${PRETRAINED.join(', ')}`);
  }
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  return join(root, 'assets', 'models', name);
}

/**
 * Load a committed pretrained reference model, verifying its weights against the sha256 in its
 * record.json (which also says how it was trained and its test accuracy).
 *
 * @example
 * ```ts
 * const model = await loadPretrained('lenet5-mnist'); // >= 99% on the MNIST test set
 * ```
 */
export async function loadPretrained(name: PretrainedName): Promise<tf.LayersModel> {
  const dir = pretrainedDir(name);
  if (!existsSync(dir)) throw new DataError(`pretrained model '${name}' is missing: expected it in ${dir}`);
  const record = await readRecord(dir);
  const sha = (record?.weights as { sha256?: unknown } | undefined)?.sha256;
  if (typeof sha !== 'string') throw new DataError(`${dir}/record.json records no weights sha256`);
  return loadModel(dir, { sha256: sha });
}

/** The training record of a pretrained model (accuracy, epochs, backend, command...). */
export async function pretrainedRecord(name: PretrainedName): Promise<Record<string, unknown>> {
  const record = await readRecord(pretrainedDir(name));
  if (!record) throw new DataError(`pretrained model '${name}' has no record.json in ${pretrainedDir(name)}`);
  return record;
}
