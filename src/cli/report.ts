import { Command } from 'commander';
import { join } from 'node:path';
import { initBackend } from '../backend/index.js';
import { loadModel } from '../io/load.js';
import { writeReport } from '../report/html.js';
import { RUN_FILES } from '../report/run-dir.js';

/** `condensa report <run dir>`: one self-contained HTML file of a run, with its plots. */
export const reportCommand = new Command('report')
  .description('write a self-contained HTML report of a run directory (tables and SVG plots, opens offline)')
  .argument('<runDir>', 'the folder a compress or search run wrote')
  .option('--out <file>', 'where to write the HTML (default: <runDir>/report.html)')
  .option('--model <dir>', 'the compressed model to show (default: a saved model in <runDir>)')
  .option('--json', 'print what was written as JSON')
  .addHelpText(
    'after',
    '\nExamples:\n' +
      '  condensa report runs/lenet5-prune\n' +
      '  condensa report runs/lenet5-prune --model /tmp/lenet5-pruned --out /tmp/report.html\n',
  )
  .action(async (runDir: string, opts: { out?: string; model?: string; json?: boolean }) => {
    await initBackend({ announce: false });
    const model = opts.model ? await loadModel(opts.model) : undefined;
    try {
      const result = await writeReport(runDir, opts.out ?? join(runDir, RUN_FILES.report), { model });
      if (opts.json) {
        process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      } else {
        process.stdout.write(
          `wrote ${result.file} (${result.plots} plots: ${result.sections.join(', ') || 'no data'})\n`,
        );
        for (const p of result.problems) process.stderr.write(`warning: ${p}\n`);
      }
    } finally {
      model?.dispose();
    }
  });
