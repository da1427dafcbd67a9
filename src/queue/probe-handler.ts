import type * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, LayerError } from '../errors.js';
import type { ProbeJob } from './jobs.js';
import { ModelCache } from './model-ref.js';
import type { JobHandler } from './worker.js';

/**
 * Evaluates one probe on a worker: `model` is the verified, cached input model (never modify
 * it: compress a clone); returns the probed model's accuracy and anything else worth recording.
 */
export type ProbeEvaluation = (
  job: ProbeJob,
  model: tf.LayersModel,
) => Promise<{ accuracy: number } & Record<string, unknown>>;

/**
 * The handler of `probe` jobs (`ProbeJob`, one layer x density of a sensitivity profile): checks
 * the payload, loads the model by hash once per worker, and hands both to `evaluate`, which is
 * where a sensitivity analysis plugs in its own measurement.
 *
 * @example
 * const handlers = { probe: probeJobHandler(async (job, model) => ({ accuracy: await probe(model, job) })) };
 */
export function probeJobHandler(evaluate: ProbeEvaluation): JobHandler {
  if (typeof evaluate !== 'function') {
    throw new InvalidArgumentError(
      'probeJobHandler needs an evaluation function (job, model) => { accuracy }',
    );
  }
  const models = new ModelCache();
  const handler: JobHandler = async (payload) => {
    const job = payload as ProbeJob;
    if (typeof job?.layer !== 'string' || job.layer === '') {
      throw new InvalidArgumentError(
        `probe job: layer must be a layer name, got ${JSON.stringify(job?.layer)}`,
      );
    }
    if (!(typeof job.density === 'number' && job.density >= 0 && job.density <= 1)) {
      throw new InvalidArgumentError(
        `probe job on layer '${job.layer}': density must be in [0, 1], got ${JSON.stringify(job.density)}`,
      );
    }
    const model = await models.get(job.model);
    if (!model.layers.some((l) => l.name === job.layer)) {
      throw new LayerError(`probe job: model ${job.model.path} has no layer '${job.layer}'`);
    }
    const result = await evaluate(job, model);
    if (!Number.isFinite(result?.accuracy)) {
      throw new InvalidArgumentError(
        `probe of layer '${job.layer}' at density ${job.density}: the evaluation returned accuracy ${result?.accuracy}`,
      );
    }
    return result;
  };
  handler.dispose = () => models.dispose();
  return handler;
}
