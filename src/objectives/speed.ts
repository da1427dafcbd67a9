import { InvalidArgumentError } from '../errors.js';
import { measureDeployed, type DeployOptions } from './deployed.js';
import type { Objective } from './objective.js';
import { percentile, timeForward } from './timing.js';

/**
 * Images per second of the model on the active backend: the median of `repeats` timed batches
 * of deterministic random input (after `warmup` untimed ones). Measure the model as it would be
 * deployed: pass `compact: true` when the scheme is structured.
 *
 * @example
 * const ips = await throughput({ batchSize: 32 }).measure(model);
 */
export function throughput(
  opts: { batchSize?: number; warmup?: number; repeats?: number } & DeployOptions = {},
): Objective {
  const batchSize = opts.batchSize ?? 64;
  const warmup = opts.warmup ?? 2;
  const repeats = opts.repeats ?? 5;
  return {
    name: `throughput(bs=${batchSize})`,
    higherIsBetter: true,
    measure: (model) =>
      measureDeployed(model, opts, async (m) => {
        const times = await timeForward(m, batchSize, warmup, repeats);
        return batchSize / (percentile(times, 50) / 1000);
      }),
  };
}

/**
 * Milliseconds per single-image forward pass at a percentile of `repeats` runs (default: the
 * median of 20).
 *
 * @example
 * const p90 = await latency({ percentile: 90 }).measure(model);
 */
export function latency(
  opts: { percentile?: number; repeats?: number; warmup?: number } & DeployOptions = {},
): Objective {
  const p = opts.percentile ?? 50;
  if (!(p > 0 && p <= 100)) throw new InvalidArgumentError(`percentile must be in (0, 100], got ${p}`);
  const repeats = opts.repeats ?? 20;
  const warmup = opts.warmup ?? 2;
  return {
    name: `latency(p${p})`,
    higherIsBetter: false,
    measure: (model) =>
      measureDeployed(model, opts, async (m) => percentile(await timeForward(m, 1, warmup, repeats), p)),
  };
}
