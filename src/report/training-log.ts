import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunEvent } from '../optimizers/run-events.js';
import { RUN_FILES, type TrainingLogLine } from './run-dir.js';

/**
 * The recovery's training curve, built from a Compressor's progress events: one line per
 * minibatch (`loss`, `lr`) and, at the end of each outer step, the validation (and test, when
 * evaluated) accuracy of the step's compressed model. `step` counts minibatches over the whole
 * run, so the accuracies sit on the same x axis as the loss. A run resumed from a checkpoint
 * only sees the minibatches of this process: its log starts at the resume.
 *
 * @example
 * ```ts
 * const log = new TrainingLog();
 * const result = await new Compressor({ ...options, onEvent: log.onEvent }).run();
 * await log.write('runs/lenet5-prune'); // runs/lenet5-prune/training-log.jsonl
 * ```
 */
export class TrainingLog {
  /** The lines recorded so far, in event order. */
  readonly lines: TrainingLogLine[] = [];
  private minibatches = 0;

  /** Pass as (or call from) the Compressor's `onEvent`. Bound: safe to hand over directly. */
  readonly onEvent = (e: RunEvent): void => {
    if (e.type === 'iteration') {
      this.minibatches++;
      // A diverged minibatch is rolled back by the run; its NaN loss has no place on a plot.
      if (Number.isFinite(e.loss)) this.lines.push({ step: this.minibatches, loss: e.loss, lr: e.lr });
    } else if (e.type === 'step') {
      const line: TrainingLogLine = { step: this.minibatches };
      if (e.stats.val) line.valAccuracy = e.stats.val.accuracy;
      if (e.stats.test) line.testAccuracy = e.stats.test.accuracy;
      if (Object.keys(line).length > 1) this.lines.push(line);
    }
  };

  /** Whether any minibatch was trained (a one-shot compression has no curve to show). */
  get trained(): boolean {
    return this.minibatches > 0;
  }

  /** The log as JSON lines (the format `readRunDir` reads). */
  toJsonl(): string {
    return this.lines.map((l) => JSON.stringify(l) + '\n').join('');
  }

  /** Write `dir/training-log.jsonl` (creating `dir`); returns the file's path. */
  async write(dir: string): Promise<string> {
    await mkdir(dir, { recursive: true });
    const file = join(dir, RUN_FILES.training);
    await writeFile(file, this.toJsonl());
    return file;
  }
}
