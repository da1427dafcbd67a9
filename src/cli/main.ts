import { Command, CommanderError } from 'commander';
import { compactCommand } from './compact.js';
import { compressCommand } from './compress.js';
import { dataCommand } from './data.js';
import { reportCommand } from './report.js';

import { describeError, EXIT, EXIT_CODES_HELP } from './errors.js';
import { exportCommand } from './export.js';
import { quantizeCommand } from './quantize.js';
import { sensitivityCommand } from './sensitivity.js';
import { trainCommand } from './train.js';
import { workerCommand } from './worker.js';

/**
 * The `condensa` command line. Each subcommand lives in its own file in this folder and is
 * added here; every error of every subcommand ends at the boundary below as one line.
 */
const program = new Command();
program
  .name('condensa')
  .description('Neural-network compression for TensorFlow.js')
  .version('0.1.0')
  .option('--verbose', 'print the stack trace of an error');
program.addCommand(dataCommand);
program.addCommand(trainCommand);
program.addCommand(compressCommand);
program.addCommand(reportCommand);

program.addCommand(compactCommand);
program.addCommand(quantizeCommand);
program.addCommand(exportCommand);
program.addCommand(workerCommand);
program.addCommand(sensitivityCommand);

const verbose = process.argv.includes('--verbose');
const HELP_CODES = new Set(['commander.helpDisplayed', 'commander.help', 'commander.version']);

/** Print one line (never a raw stack unless --verbose: tfjs-wasm stacks quote megabytes of source). */
function fail(e: unknown): never {
  if (e instanceof CommanderError && HELP_CODES.has(e.code)) process.exit(e.exitCode && EXIT.usage);
  const { line, code } = describeError(e, e instanceof CommanderError ? commandPath.get(e) : undefined);
  process.stderr.write(`condensa: ${line}\n`);
  if (verbose && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  process.exit(code);
}

// Commander prints its own "error: ..." lines and exits; route them through `fail` instead, for
// every command, including those added after this file was written.
const commandPath = new WeakMap<CommanderError, string>();
function route(cmd: Command, path: string): void {
  cmd
    .exitOverride((err) => {
      commandPath.set(err, path);
      throw err;
    })
    .configureOutput({ outputError: () => {} })
    .addHelpText('after', EXIT_CODES_HELP);
  for (const sub of cmd.commands) route(sub, `${path} ${sub.name()}`);
}
route(program, 'condensa');

// No SIGINT listener: a training loop that never yields to the event loop would delay it until
// the work is done. Node's default ends the process at once (exit status 130), and outputs are
// written atomically, so nothing half-written is left behind.
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  fail(e);
}
