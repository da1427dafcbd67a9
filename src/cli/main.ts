import { Command } from 'commander';
import { CondensaError } from '../errors.js';
import { compressCommand } from './compress.js';
import { dataCommand } from './data.js';
import { sensitivityCommand } from './sensitivity.js';
import { trainCommand } from './train.js';

/**
 * The `condensa` command line. Each subcommand lives in its own file in this folder and is
 * added here.
 */
const program = new Command();
program.name('condensa').description('Neural-network compression for TensorFlow.js').version('0.1.0');
program.addCommand(dataCommand);
program.addCommand(trainCommand);
program.addCommand(compressCommand);
program.addCommand(sensitivityCommand);
try {
  await program.parseAsync(process.argv);
} catch (e) {
  // A CondensaError's message already says what is wrong and what to do: no stack trace for it.
  if (e instanceof CondensaError) {
    process.stderr.write(`condensa: ${e.message}\n`);
    process.exit(1);
  }
  throw e;
}
