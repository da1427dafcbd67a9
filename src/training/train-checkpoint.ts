import * as tf from '@tensorflow/tfjs';
import { DataError } from '../errors.js';
import { readCheckpointFile, writeCheckpointFile } from './checkpoint-file.js';

/** The layout of `condensa train`'s checkpoint metadata. */
const TRAIN_CHECKPOINT_VERSION = 1;

type History = { epoch: number; loss: number; accuracy: number; seconds: number }[];

interface TrainCheckpointMeta {
  /** Epochs completed. */
  step: number;
  history: History;
  /** Names of the tfjs optimizer's state tensors (`optimizer.getWeights()` order). */
  optimizerWeights: string[];
}

/**
 * Save a reference training run after an epoch: every model weight (BatchNorm statistics too),
 * the tfjs optimizer's state (momentum or Adam moments, iteration count) and the history.
 */
export async function saveTrainCheckpoint(
  dir: string,
  fingerprint: string,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  history: History,
): Promise<void> {
  const state = await optimizer.getWeights();
  await writeCheckpointFile<TrainCheckpointMeta>(dir, {
    version: TRAIN_CHECKPOINT_VERSION,
    fingerprint,
    data: {
      meta: { step: history.length, history, optimizerWeights: state.map((w) => w.name) },
      tensors: { model: model.getWeights(), optimizer: state.map((w) => w.tensor) },
    },
  });
  // getWeights' iteration count is a fresh scalar; the moments are the optimizer's own variables.
  tf.dispose(state.filter((w) => !(w.tensor instanceof tf.Variable)).map((w) => w.tensor));
}

/**
 * Put a saved run back into `model` and `optimizer`; null when `dir` holds no checkpoint, a
 * `DataError` when it holds another run's.
 */
export async function loadTrainCheckpoint(
  dir: string,
  fingerprint: string,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
): Promise<{ history: History } | null> {
  const saved = await readCheckpointFile<TrainCheckpointMeta>(dir, {
    version: TRAIN_CHECKPOINT_VERSION,
    fingerprint,
  });
  if (!saved) return null;
  const weights = saved.tensors.model ?? [];
  const state = saved.tensors.optimizer ?? [];
  if (weights.length !== model.getWeights().length || state.length !== saved.meta.optimizerWeights.length) {
    tf.dispose([...weights, ...state]);
    throw new DataError(`the checkpoint in ${dir} does not match the model or optimizer it is resumed into`);
  }
  model.setWeights(weights);
  // The optimizer's new variables share these tensors' data (reference-counted): disposing is safe.
  await optimizer.setWeights(saved.meta.optimizerWeights.map((name, i) => ({ name, tensor: state[i] })));
  tf.dispose([...weights, ...state]);
  return { history: saved.meta.history };
}
