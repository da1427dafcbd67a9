import { initBackend } from '../backend/index.js';
import { InvalidArgumentError } from '../errors.js';
import { importanceNames } from '../importance/index.js';
import { sensitivityProbe } from '../search/sensitivity.js';
import { evaluate } from '../training/evaluate.js';
import { resolveLoss } from '../training/loss.js';
import { canonicalJson } from './job-id.js';
import type { DataRecipe, ProbeJob } from './jobs.js';
import { probeJobHandler } from './probe-handler.js';
import { sensitivityData, type SensitivityData } from './sensitivity-data.js';
import type { JobHandler } from './worker.js';

/**
 * The `scheme` of a sensitivity probe job: how `condensa sensitivity` prunes the probed layer
 * (`granularity`, ranked by the `importance` named) and how many training images calibrate a
 * data-driven importance (drawn with the data recipe's seed).
 */
export interface SensitivityProbeSpec {
  probe: 'sensitivity';
  granularity: 'structure' | 'weight';
  importance: string;
  calibration: number;
}

/** The spec, checked: a bad one fails at once on the worker instead of being retried. */
function probeSpec(job: ProbeJob): SensitivityProbeSpec {
  const spec = job.scheme as Partial<SensitivityProbeSpec>;
  if (spec?.probe !== 'sensitivity') {
    throw new InvalidArgumentError(
      `probe job: the built-in probe handler runs sensitivity probes (scheme.probe: 'sensitivity'), got ${JSON.stringify(job.scheme)}; serve other probes with --handlers`,
    );
  }
  if (spec.granularity !== 'structure' && spec.granularity !== 'weight') {
    throw new InvalidArgumentError(
      `probe job: scheme.granularity must be 'structure' or 'weight', got ${JSON.stringify(spec.granularity)}`,
    );
  }
  if (typeof spec.importance !== 'string' || !importanceNames().includes(spec.importance)) {
    throw new InvalidArgumentError(
      `probe job: scheme.importance must be one of ${importanceNames().join(', ')}, got ${JSON.stringify(spec.importance)}`,
    );
  }
  if (!Number.isInteger(spec.calibration) || spec.calibration! < 1) {
    throw new InvalidArgumentError(
      `probe job: scheme.calibration must be an integer >= 1, got ${JSON.stringify(spec.calibration)}`,
    );
  }
  if (job.optimizer?.kind !== 'direct') {
    throw new InvalidArgumentError(
      `probe job: a sensitivity probe recovers nothing, optimizer.kind must be 'direct', got ${JSON.stringify(job.optimizer?.kind)}`,
    );
  }
  if (job.data?.split !== 'validation') {
    throw new InvalidArgumentError(
      `probe job: data.split must be 'validation', got ${JSON.stringify(job.data?.split)}`,
    );
  }
  return spec as SensitivityProbeSpec;
}

/**
 * The built-in handler of `probe` jobs (the one `condensa worker` serves): one probe of
 * `condensa sensitivity --queue`, rebuilt from the payload alone: the model by hash, the
 * validation and calibration images from the data recipe (`sensitivityData`), then
 * `sensitivityProbe` on the layer at the job's density. Probes run one at a time per process:
 * each prunes the cached model in place and restores it.
 *
 * @example
 * const w = await startWorker({ redis, handlers: { probe: sensitivityProbeHandler() } });
 */
export function sensitivityProbeHandler(): JobHandler {
  const datasets = new Map<string, Promise<SensitivityData>>();
  const dataFor = (recipe: DataRecipe, calibration: number): Promise<SensitivityData> => {
    const key = canonicalJson({ recipe, calibration });
    let entry = datasets.get(key);
    if (!entry) {
      entry = sensitivityData(recipe.dataset, { val: recipe.count, calibration, seed: recipe.seed });
      entry.catch(() => datasets.delete(key));
      datasets.set(key, entry);
    }
    return entry;
  };
  const loss = resolveLoss('categoricalCrossentropy');
  let turn: Promise<unknown> = Promise.resolve();
  const probe = probeJobHandler((job, model) => {
    const run = turn.then(async () => {
      const spec = job.scheme as unknown as SensitivityProbeSpec;
      const data = await dataFor(job.data, spec.calibration);
      const accuracy = await sensitivityProbe(model, job.layer, job.density, {
        granularity: spec.granularity,
        importance: spec.importance,
        data: data.calibration,
        evaluate: async (m) => (await evaluate(m, data.val, loss)).accuracy,
      });
      return { accuracy };
    });
    turn = run.catch(() => undefined);
    return run;
  });
  // The backend starts before the model is loaded, and only once a probe arrives.
  let backend: Promise<unknown> | null = null;
  const handler: JobHandler = async (payload, context) => {
    // A payload that can never run fails before the backend, the model or the data are loaded.
    probeSpec(payload as ProbeJob);
    await (backend ??= initBackend());
    return probe(payload, context);
  };
  handler.dispose = async () => {
    await probe.dispose?.();
    for (const d of datasets.values()) (await d.catch(() => null))?.dispose();
    datasets.clear();
  };
  return handler;
}
