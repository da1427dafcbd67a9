import { InvalidArgumentError } from '../errors.js';
import { browserTimes, runtimeLabel, type RuntimeOptions } from './browser.js';
import { measureDeployed, type DeployOptions } from './deployed.js';
import type { Objective } from './objective.js';
import { checkTimingCounts, percentile, timeForward } from './timing.js';

/**
 * Images per second of the model on the active backend: the median of `repeats` timed batches
 * of deterministic random input (after `warmup` untimed ones). Measure the model as it would be
 * deployed: pass `compact: true` when the scheme is structured, and `runtime: 'browser'` to
 * measure it in headless Chromium as a web page runs it.
 *
 * @example
 * const ips = await throughput({ batchSize: 32 }).measure(model);
 * const inPage = await throughput({ runtime: 'browser', browserBackend: 'wasm' }).measure(model);
 */
export function throughput(
  opts: { batchSize?: number; warmup?: number; repeats?: number } & DeployOptions & RuntimeOptions = {},
): Objective {
  const batchSize = opts.batchSize ?? 64;
  const warmup = opts.warmup ?? 2;
  const repeats = opts.repeats ?? 5;
  return {
    name: `throughput(bs=${batchSize})${runtimeLabel(opts)}`,
    higherIsBetter: true,
    measure: (model) =>
      measureDeployed(model, opts, async (m) => {
        const times = await timings(m, batchSize, warmup, repeats, opts);
        return batchSize / (percentile(times, 50) / 1000);
      }),
  };
}

/**
 * Milliseconds per single-image forward pass at a percentile of `repeats` runs (default: the
 * median of 20), in this process or (`runtime: 'browser'`) in headless Chromium.
 *
 * @example
 * const p90 = await latency({ percentile: 90 }).measure(model);
 * const inPage = await latency({ runtime: 'browser' }).measure(model);
 */
export function latency(
  opts: { percentile?: number; repeats?: number; warmup?: number } & DeployOptions & RuntimeOptions = {},
): Objective {
  const p = opts.percentile ?? 50;
  if (!(p > 0 && p <= 100)) throw new InvalidArgumentError(`percentile must be in (0, 100], got ${p}`);
  const repeats = opts.repeats ?? 20;
  const warmup = opts.warmup ?? 2;
  return {
    name: `latency(p${p})${runtimeLabel(opts)}`,
    higherIsBetter: false,
    measure: (model) =>
      measureDeployed(model, opts, async (m) => percentile(await timings(m, 1, warmup, repeats, opts), p)),
  };
}

/** Forward-pass times where the options say the model runs. */
function timings(
  model: Parameters<typeof timeForward>[0],
  batchSize: number,
  warmup: number,
  repeats: number,
  opts: RuntimeOptions,
): Promise<number[]> {
  if (opts.runtime === 'browser') {
    checkTimingCounts(batchSize, warmup, repeats);
    return browserTimes(model, batchSize, warmup, repeats, opts);
  }
  return timeForward(model, batchSize, warmup, repeats);
}
