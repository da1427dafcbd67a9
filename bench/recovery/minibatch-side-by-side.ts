/**
 * One masked fine-tuning minibatch, condensa-ts against the PyTorch 1.13 peer, measured side by
 * side in one sitting: the same recipe (seedNet width 0.25, FilterPrune density 0.5 masks, batch
 * 128, SGD Nesterov momentum 0.9; random inputs) timed by `bench/train-throughput/finetune-step.ts`
 * (the one training loop, wasm) and `bench/recovery/torch_step.py` (torch, pruning hooks), the
 * two processes alternated round by round (A B, B A, ...) with the same thread count, so that load
 * from other jobs on the shared machine hits both alike. Each process times `--iters` minibatches
 * after `--warmup`; the figures are medians over rounds and the ratio is condensa-ts / PyTorch.
 * Appends one JSON line to bench/recovery/minibatch-results.jsonl and prints a markdown row.
 *
 *   npx tsx bench/recovery/minibatch-side-by-side.ts [--rounds 4] [--iters 5] [--warmup 2] [--threads 2]
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: a } = parseArgs({
  options: {
    rounds: { type: 'string', default: '4' },
    iters: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '2' },
    threads: { type: 'string', default: '2' },
  },
});
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const common = ['--iters', a.iters, '--repeats', '1', '--warmup', a.warmup, '--threads', a.threads];
const commands = {
  condensa: [
    process.execPath,
    ['--import', 'tsx', join(root, 'bench/train-throughput/finetune-step.ts'), ...common],
  ],
  torch: ['/usr/bin/python3', [join(here, 'torch_step.py'), ...common]],
} as const;
type Side = keyof typeof commands;

/** Runs one side and returns its ms per minibatch (the last JSON line it prints). */
function measure(side: Side): number {
  const [file, args] = commands[side];
  const stdout = execFileSync(file, [...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, CONDENSA_THREADS: a.threads },
  });
  const line = stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .pop();
  if (!line) throw new Error(`${side} printed no JSON result:\n${stdout}`);
  return (JSON.parse(line) as { msPerMinibatch: number }).msPerMinibatch;
}

const uptimeBefore = execFileSync('uptime').toString().trim();
const started = new Date().toISOString();
const times: Record<Side, number[]> = { condensa: [], torch: [] };
for (let r = 0; r < Number(a.rounds); r++) {
  const order: Side[] = r % 2 === 0 ? ['condensa', 'torch'] : ['torch', 'condensa'];
  for (const side of order) times[side].push(measure(side));
  process.stderr.write(
    `round ${r + 1}: condensa ${times.condensa.at(-1)} ms, torch ${times.torch.at(-1)} ms\n`,
  );
}
const uptimeAfter = execFileSync('uptime').toString().trim();
const median = (xs: number[]) => {
  const s = [...xs].sort((p, q) => p - q);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const perRound = times.condensa.map((c, i) => c / times.torch[i]);
const result = {
  started,
  threads: Number(a.threads),
  iters: Number(a.iters),
  rounds: Number(a.rounds),
  condensaMs: median(times.condensa),
  torchMs: median(times.torch),
  ratio: median(times.condensa) / median(times.torch),
  ratioPerRound: perRound.map((x) => Number(x.toFixed(2))),
  times,
  uptimeBefore,
  uptimeAfter,
};
appendFileSync(join(here, 'minibatch-results.jsonl'), JSON.stringify(result) + '\n');
console.log(`uptime before: ${uptimeBefore}\nuptime after: ${uptimeAfter}\n`);
console.log(
  '| when (UTC) | threads | rounds x minibatches | condensa-ts ms | PyTorch ms | ratio (per round) |',
);
console.log('|---|---|---|---|---|---|');
console.log(
  `| ${started.slice(0, 16).replace('T', ' ')} | ${a.threads} | ${a.rounds} x ${a.iters} | ${result.condensaMs.toFixed(0)} | ` +
    `${result.torchMs.toFixed(0)} | ${result.ratio.toFixed(2)} (${result.ratioPerRound.join(', ')}) |`,
);
