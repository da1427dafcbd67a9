import * as tf from '@tensorflow/tfjs';

/** One progress report, per batch. */
export interface TrainProgress {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  loss: number;
  accuracy: number;
  seconds: number;
}

/**
 * Progress line written to a stream: redrawn in place on a terminal, and otherwise printed every
 * ~10% of an epoch (so logs from CI and `nohup` stay readable).
 */
export function progressPrinter(stream: NodeJS.WriteStream = process.stderr): (p: TrainProgress) => void {
  let lastDecile = -1;
  return (p) => {
    const width = 24;
    const done = Math.round((width * p.batch) / p.batches);
    const bar = '='.repeat(done) + ' '.repeat(width - done);
    const line =
      `epoch ${p.epoch}/${p.epochs} [${bar}] ${p.batch}/${p.batches} ` +
      `loss ${p.loss.toFixed(4)} acc ${p.accuracy.toFixed(4)} ${p.seconds.toFixed(1)}s`;
    if (stream.isTTY) {
      stream.write(`\r${line}${p.batch === p.batches ? '\n' : ''}`);
      return;
    }
    const decile = Math.floor((10 * p.batch) / p.batches);
    if (decile !== lastDecile || p.batch === p.batches) {
      lastDecile = p.batch === p.batches ? -1 : decile;
      stream.write(`${line}\n`);
    }
  };
}

/**
 * A model.fit callback turning batch logs into TrainProgress reports with running means of the
 * loss and accuracy over the epoch.
 */
export class TrainProgressCallback extends tf.CustomCallback {
  constructor(epochs: number, batches: number, report: (p: TrainProgress) => void) {
    let epoch = 0;
    let seen = 0;
    let lossSum = 0;
    let accSum = 0;
    let start = 0;
    super({
      onEpochBegin: async (e) => {
        epoch = e + 1;
        seen = 0;
        lossSum = 0;
        accSum = 0;
        start = performance.now();
      },
      onBatchEnd: async (_b, logs) => {
        seen++;
        lossSum += logs?.loss ?? 0;
        accSum += logs?.acc ?? logs?.accuracy ?? 0;
        report({
          epoch,
          epochs,
          batch: seen,
          batches,
          loss: lossSum / seen,
          accuracy: accSum / seen,
          seconds: (performance.now() - start) / 1000,
        });
      },
    });
  }
}
