import type { Density, SampleOutcome } from '../search/types.js';

/** Job kind of a search sample (`SampleJob`). */
export const SAMPLE_JOB = 'sample';
/** Job kind of a sensitivity probe (`ProbeJob`). */
export const PROBE_JOB = 'probe';

/** Which model a job compresses: where to read it, and the sha256 its files must have. */
export interface ModelRef {
  /** A saved-model directory (`saveModel`) or its `file://` URL, as the worker sees it (shared disk or a copy). */
  path: string;
  /** `modelHash(path)`: sha256 over the directory's files; the worker refuses other files. */
  sha256: string;
}

/** How a worker rebuilds the evaluation data: the same split of the same dataset. */
export interface DataRecipe {
  /** A name `datasetRecipe` knows (mnist, fashion-mnist, cifar10). */
  dataset: string;
  /** Which images the sample is evaluated on: the validation split held out of the training set. */
  split: 'validation';
  /** Images held out for validation (`splitValidation`'s count). */
  count: number;
  /** Seed of the split. */
  seed: number;
}

/** The cheap compression each sample runs, and its seed. */
export interface OptimizerSettings {
  kind: 'direct' | 'finetune' | 'lc';
  /** L-C steps (lc only). */
  steps?: number;
  /** Minibatches per L step or of fine-tuning (lc, finetune). */
  iterations?: number;
  /** Training images used by lc and finetune (stratified subset of the training split). */
  trainCount?: number;
  seed: number;
}

/** What a sample measures, larger or smaller being better, on the model as it would be deployed. */
export interface ObjectiveSpec {
  name: 'params' | 'nonzero-params' | 'flops' | 'model-bytes';
  /** Measure on `compact(model)` (structured schemes). */
  compacted: boolean;
}

/**
 * One search sample: everything a worker needs to reproduce it, on any machine. Its job id is
 * the hash of this payload (`jobId`), so the same sample is the same job.
 */
export interface SampleJob {
  model: ModelRef;
  data: DataRecipe;
  /** The scheme's JSON spec (`scheme.toJSON()`) at the sample's density. */
  scheme: Record<string, unknown>;
  /** The density the search asked for (a number, or one per layer). */
  density: Density;
  optimizer: OptimizerSettings;
  objective: ObjectiveSpec;
}

/**
 * One sensitivity probe: `layer` alone compressed at `density`, every other layer dense; the
 * worker reports the accuracy (and the evaluation's other fields).
 */
export interface ProbeJob {
  model: ModelRef;
  data: DataRecipe;
  /** The scheme's JSON spec without density; the probe sets `densities: { [layer]: density }`. */
  scheme: Record<string, unknown>;
  layer: string;
  density: number;
  optimizer: OptimizerSettings;
}

/** Who ran a job, and when (epoch ms), as recorded with its result. */
export interface JobProvenance {
  jobId: string;
  workerId: string;
  /** When the job was first enqueued. */
  enqueuedAt: number;
  /** When the attempt that finished it started. */
  startedAt: number;
  finishedAt: number;
  /** Attempts BullMQ made (more than 1 after a transient failure). */
  attempts: number;
}

/** A finished sample job: the sample function's outcome plus its provenance. */
export type SampleJobResult = SampleOutcome & { job: JobProvenance };
