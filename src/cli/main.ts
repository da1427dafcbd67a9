import { Command } from 'commander';

/**
 * The `condensa` command line. Each subcommand lives in its own file in this folder and is
 * added here.
 */
const program = new Command();
program.name('condensa').description('Neural-network compression for TensorFlow.js').version('0.1.0');
await program.parseAsync(process.argv);
