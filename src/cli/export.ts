import { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { initBackend } from '../backend/index.js';
import { InvalidArgumentError } from '../errors.js';
import { toOnnx } from '../io/onnx/export.js';
import { checkOutDir, resolveModelArg } from './checks.js';
import { UsageError } from './errors.js';
import { loadModelArg } from './flags.js';

const EXAMPLES = `
Examples:
  $ condensa export lenet5-mnist --onnx --out /tmp/lenet5.onnx
  $ condensa export /tmp/filters-compact --onnx --out /tmp/seednet-compact.onnx`;

/** Refuse an --out file that exists (unless --overwrite), is a directory, or cannot be written. */
function checkOutFile(out: string, overwrite: boolean, inputDir: string): string {
  const target = resolve(out);
  if (existsSync(target)) {
    if (statSync(target).isDirectory())
      throw new InvalidArgumentError(
        `--out ${out} is a directory; pass a file path such as ${join(out, 'model.onnx')}`,
      );
    if (!overwrite)
      throw new InvalidArgumentError(
        `--out ${out} exists; choose a new file or pass --overwrite to replace it`,
      );
  }
  // The parent must be a writable directory outside the input model: the directory checks say so.
  checkOutDir(dirname(target), { overwrite: true, input: inputDir, flag: `--out's directory` });
  return target;
}

/**
 * `condensa export <model> --onnx`: write the model (e.g. compacted) as an ONNX file that
 * onnxruntime and other ONNX tools run, with the same NHWC input as the tfjs model.
 *
 * @example
 * ```sh
 * condensa export lenet5-mnist --onnx --out /tmp/lenet5.onnx
 * ```
 */
export const exportCommand = new Command('export')
  .description('write a model in another format (ONNX)')
  .argument('<model>', 'a saved model directory or a pretrained name')
  .option('--onnx', 'write ONNX (opset 13; NHWC input named "input", output "output")')
  .requiredOption('--out <file>', 'the file to write')
  .option('--overwrite', 'replace an existing --out file')
  .addHelpText('after', EXAMPLES)
  .action(async (modelArg: string, opts) => {
    if (!opts.onnx) throw new UsageError('choose a format; pass --onnx (the only one so far)');
    const input = resolveModelArg(modelArg, '<model>');
    const out = checkOutFile(opts.out, Boolean(opts.overwrite), input.dir);
    await initBackend();
    const model = await loadModelArg(input);
    const bytes = toOnnx(model);
    model.dispose();
    await mkdir(dirname(out), { recursive: true });
    const tmp = join(dirname(out), `.${basename(out)}.tmp-${process.pid}`);
    await writeFile(tmp, bytes);
    await rename(tmp, out);
    console.log(`wrote ${out} (${bytes.length.toLocaleString('en-US')} bytes, ONNX opset 13)`);
  });
