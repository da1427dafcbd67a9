import type * as tf from '@tensorflow/tfjs';
import { CondensaError } from '../errors.js';
import { serializeModel } from '../io/serialize.js';

/** Where the speed objectives run the model. */
export interface RuntimeOptions {
  /**
   * `'node'` (default): this process's tfjs backend. `'browser'`: headless Chromium with stock
   * tfjs from a loopback server, as a web page would run the model (see {@link browserTimes}).
   */
  runtime?: 'node' | 'browser';
  /** The page's tfjs backend when `runtime` is `'browser'`. Default `'wasm'`. */
  browserBackend?: 'wasm' | 'webgl' | 'cpu';
  /** Chromium binary for `runtime: 'browser'` (default: `$CONDENSA_CHROMIUM` or /usr/bin/chromium). */
  chromium?: string;
}

/**
 * The suffix of an objective's name that says where it ran: '' in Node, `@browser(wasm)` else.
 *
 * @example
 * ```ts
 * runtimeLabel({ runtime: 'browser', browserBackend: 'webgl' }); // '@browser(webgl)'
 * ```
 */
export function runtimeLabel(opts: RuntimeOptions): string {
  return opts.runtime === 'browser' ? `@browser(${opts.browserBackend ?? 'wasm'})` : '';
}

/**
 * Milliseconds of `repeats` forward passes of `model` in headless Chromium: the model is saved
 * as it would be deployed (float32 or its recorded quantization, standard tfjs layout), served
 * from 127.0.0.1, loaded with stock `tf.loadLayersModel` and timed by the page. Each call
 * starts and closes its own browser, so a search can call it per sample and nothing is left
 * running (about a second of start-up, not timed).
 *
 * @example
 * ```ts
 * const ms = await browserTimes(model, 1, 2, 20, { browserBackend: 'wasm' });
 * ```
 */
export async function browserTimes(
  model: tf.LayersModel,
  batchSize: number,
  warmup: number,
  repeats: number,
  opts: RuntimeOptions,
): Promise<number[]> {
  const backend = opts.browserBackend ?? 'wasm';
  const { files, modelJson, weights } = await serializeModel(model);
  // Loaded on first use: importing the package must not load playwright-core.
  const { openTfjsPage, timeModelInPage } = await import('../browser-runtime/index.js');
  const session = await openTfjsPage({
    files: { [`/model/${files.json}`]: JSON.stringify(modelJson), [`/model/${files.bin}`]: weights },
    launch: { executablePath: opts.chromium },
  });
  try {
    const started = await session.setBackend(backend);
    if (!started.ok) {
      throw new CondensaError(
        `the browser's tfjs backend '${backend}' did not start (${started.reason}); use browserBackend 'wasm' or 'cpu'`,
      );
    }
    return await timeModelInPage(
      session.page,
      `${session.server.url}/model/${files.json}`,
      batchSize,
      warmup,
      repeats,
    );
  } finally {
    await session.close();
  }
}
