import { InvalidArgumentError as CommanderArgError } from 'commander';
import type * as tf from '@tensorflow/tfjs';
import { loadModel } from '../io/load.js';
import { loadPretrained } from '../models/pretrained.js';
import type { ModelArg } from './checks.js';

/** A commander parser for an integer flag >= `min` (a bad value is a usage error, exit 2). */
export const count = (name: string, min: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min)
    throw new CommanderArgError(`${name} must be an integer >= ${min}, got '${v}'`);
  return n;
};

/** A commander parser for a number in [0, 1]. */
export const fraction = (name: string) => (v: string) => {
  const n = Number(v);
  if (!(v.trim() !== '' && n >= 0 && n <= 1))
    throw new CommanderArgError(`${name} must be a number in [0, 1], got '${v}'`);
  return n;
};

/** Load a resolved `--model`: a pretrained model (sha256-checked) or a saved directory. */
export function loadModelArg(arg: ModelArg): Promise<tf.LayersModel> {
  return arg.pretrained ? loadPretrained(arg.pretrained) : loadModel(arg.dir);
}

/** Print one line to stderr (progress and notes; stdout carries results and --json). */
export const note = (line: string): void => void process.stderr.write(`${line}\n`);
