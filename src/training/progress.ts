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
