import { Command } from 'commander';
import { dataCommand } from './data.js';
import { trainCommand } from './train.js';

/**
 * The `condensa` command line. Each subcommand lives in its own file in this folder and is
 * added here.
 */
const program = new Command();
program.name('condensa').description('Neural-network compression for TensorFlow.js').version('0.1.0');
program.addCommand(dataCommand);
program.addCommand(trainCommand);
await program.parseAsync(process.argv);
