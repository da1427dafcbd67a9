import cliProgress from 'cli-progress';
import type { RunEvent } from '../optimizers/run.js';

/**
 * A terminal progress bar (cli-progress) for a Compressor run: pass `bar.onEvent` as the
 * Compressor's `onEvent` and call `bar.stop()` when the run ends. The bar counts minibatch
 * iterations over the whole run and shows the step, the loss and the ETA; each completed step
 * is also logged as one line (validation accuracy, mu) when `logSteps` is true.
 *
 * @example
 * ```ts
 * const bar = progressBar({ total: lc.plan().iterations });
 * await new Compressor({ ...opts, onEvent: bar.onEvent }).run();
 * bar.stop();
 * ```
 */
export function progressBar(opts: { total: number; logSteps?: boolean; stream?: NodeJS.WritableStream }): {
  onEvent: (e: RunEvent) => void;
  stop: () => void;
} {
  const bar = new cliProgress.SingleBar(
    {
      format: 'step {step}/{steps} |{bar}| {value}/{total} it | loss {loss} | lr {lr} | eta {etaText}',
      stream: opts.stream ?? process.stderr,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let done = 0;
  let started = false;
  const payload = { step: 0, steps: 0, loss: '-', lr: '-', etaText: '-' };
  const ensure = (): void => {
    if (!started) {
      bar.start(Math.max(1, opts.total), 0, payload);
      started = true;
    }
  };
  const fmtEta = (s: number | null): string =>
    s === null ? '-' : s >= 60 ? `${Math.round(s / 60)}m` : `${Math.round(s)}s`;
  return {
    onEvent: (e) => {
      ensure();
      if (e.type === 'iteration') {
        done++;
        bar.update(done, {
          step: e.step,
          steps: e.steps,
          loss: e.loss.toFixed(4),
          lr: e.lr.toExponential(2),
          etaText: fmtEta(e.eta),
        });
      } else if (e.type === 'step' && opts.logSteps !== false) {
        const v = e.stats.val;
        const line =
          `step ${e.step}: val acc ${v ? (v.accuracy * 100).toFixed(2) : '-'}%` +
          (e.stats.mu !== undefined ? `, mu ${e.stats.mu.toExponential(2)}` : '') +
          (e.stats.test ? `, test acc ${(e.stats.test.accuracy * 100).toFixed(2)}%` : '');
        bar.update(done, { step: e.step + 1, steps: e.steps, etaText: fmtEta(e.eta) });
        (opts.stream ?? process.stderr).write(`\n${line}\n`);
      } else if (e.type === 'divergence') {
        (opts.stream ?? process.stderr).write(`\ndivergence ${e.count}: ${e.message}; lr x${e.lrScale}\n`);
      }
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
