import { CommanderError } from 'commander';
import { CondensaError } from '../errors.js';

/**
 * A command line that cannot work as written (a missing or contradictory flag): exit code 2,
 * as commander's own parse errors.
 */
export class UsageError extends CondensaError {}

/** Exit codes of the `condensa` command, as printed in `--help`. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

export const EXIT_CODES_HELP = `
Exit codes:
  0    success
  1    the work failed (bad input file, unwritable output, model/dataset mismatch...): one line on stderr
  2    usage error (unknown or missing flag, bad flag value)
  130  interrupted (Ctrl-C); outputs are written atomically, so none is left half-written
       (resume a long compress with --checkpoint-dir)
Errors are one line: "condensa: <what is wrong>; <what to do>". --verbose adds the stack trace.`;

// A message from outside condensa can be long (tfjs quotes whole tensors or source lines): keep
// the first line, cut to a readable length.
const MAX_MESSAGE = 400;

/** The one line printed for an error, and the exit code. */
export function describeError(e: unknown, command = 'condensa'): { line: string; code: number } {
  if (e instanceof CommanderError) {
    const what = e.message.replace(/^error: /, '');
    return { line: `${what}; see '${command} --help'`, code: EXIT.usage };
  }
  if (e instanceof UsageError) return { line: e.message, code: EXIT.usage };
  if (e instanceof CondensaError) return { line: e.message, code: EXIT.failed };
  const raw = e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e);
  let first = raw.split('\n', 1)[0].trim();
  if (first.length > MAX_MESSAGE) first = `${first.slice(0, MAX_MESSAGE)}...`;
  return {
    line: `${first}; this is unexpected: re-run with --verbose for the stack trace and report it`,
    code: EXIT.failed,
  };
}
