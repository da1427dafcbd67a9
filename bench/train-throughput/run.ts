/**
 * Training and inference throughput of seedNet (widths 1, 0.5, 0.25; batch 64) on wasm with 1
 * and 2 threads and on PyTorch CPU with 1 and 2 threads, in one run, printing images/s, GFLOP/s
 * and the ratios. FLOPs: 2 x forward multiply-accumulates of conv and dense layers; a training
 * step counts 3x forward (see flops.ts). Each engine/thread count runs in its own process,
 * one after the other.
 *
 *   npx tsx bench/train-throughput/run.ts [--widths 1,0.5,0.25] [--threads 1,2] [--seconds 4]
 *
 * Needs PyTorch for /usr/bin/python3 (apt-get install python3-torch); without it the torch
 * columns are empty. Prints a markdown table (for BENCHMARKS.md) after the raw lines.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Row {
  engine: 'wasm' | 'torch';
  threads: number;
  width: number;
  mode: 'train' | 'infer';
  imagesPerSec: number;
  gflops: number;
  forwardMflopPerImage: number;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const widths = arg('widths', '1,0.5,0.25');
const threadCounts = arg('threads', '1,2').split(',').map(Number);
const seconds = arg('seconds', '4');
const python = arg('python', '/usr/bin/python3');
const here = dirname(fileURLToPath(import.meta.url));

const rows: Row[] = [];
function collect(cmd: string, args: string[]): void {
  process.stderr.write(`$ ${cmd} ${args.join(' ')}\n`);
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) {
    process.stderr.write(
      `  failed (${r.status}): ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}\n`,
    );
    return;
  }
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    console.log(line);
    rows.push(JSON.parse(line) as Row);
  }
}

const started = new Date();
const loadBefore = loadavg();
const t0 = performance.now();
for (const n of threadCounts) {
  collect(process.execPath, [
    ...process.execArgv,
    join(here, 'wasm-bench.ts'),
    '--threads',
    String(n),
    '--widths',
    widths,
    '--seconds',
    seconds,
  ]);
  collect(python, [
    join(here, 'torch_bench.py'),
    '--threads',
    String(n),
    '--widths',
    widths,
    '--seconds',
    seconds,
  ]);
}
const minutes = (performance.now() - t0) / 60000;
const loadAfter = loadavg();

const find = (engine: string, threads: number, width: number, mode: string) =>
  rows.find((r) => r.engine === engine && r.threads === threads && r.width === width && r.mode === mode);
const fmt = (r: Row | undefined) =>
  r ? `${r.imagesPerSec.toFixed(1)} img/s, ${r.gflops.toFixed(1)} GF/s` : 'n/a';
const ratio = (a: Row | undefined, b: Row | undefined) =>
  a && b ? (a.imagesPerSec / b.imagesPerSec).toFixed(2) : 'n/a';
const maxT = Math.max(...threadCounts);

const lines: string[] = [];
lines.push(
  `| width | mode | fwd MFLOP/img | ${threadCounts.map((n) => `wasm ${n}t`).join(' | ')} | ${threadCounts
    .map((n) => `PyTorch ${n}t`)
    .join(' | ')} | wasm/PyTorch (${maxT}t) | wasm ${maxT}t vs 1t |`,
);
lines.push(`|${' --- |'.repeat(5 + 2 * threadCounts.length)}`);
for (const width of widths.split(',').map(Number)) {
  for (const mode of ['train', 'infer'] as const) {
    const any = rows.find((r) => r.width === width);
    lines.push(
      `| ${width} | ${mode} | ${any ? any.forwardMflopPerImage.toFixed(1) : 'n/a'} | ${threadCounts
        .map((n) => fmt(find('wasm', n, width, mode)))
        .join(' | ')} | ${threadCounts.map((n) => fmt(find('torch', n, width, mode))).join(' | ')} | ${ratio(
        find('wasm', maxT, width, mode),
        find('torch', maxT, width, mode),
      )} | ${ratio(find('wasm', maxT, width, mode), find('wasm', 1, width, mode))}x |`,
    );
  }
}
lines.push('');
for (const width of widths.split(',').map(Number)) {
  for (const n of threadCounts) {
    const tr = find('wasm', n, width, 'train');
    const inf = find('wasm', n, width, 'infer');
    if (tr && inf) {
      lines.push(
        `- width ${width}, wasm ${n} thread(s): training ${tr.gflops.toFixed(1)} GFLOP/s = ${(
          (100 * tr.gflops) /
          inf.gflops
        ).toFixed(0)}% of wasm inference (${inf.gflops.toFixed(1)} GFLOP/s)`,
      );
    }
  }
}
function describeMachine(): string {
  try {
    return execFileSync('sh', ['-c', "nproc; grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], {
      encoding: 'utf8',
    })
      .trim()
      .replace(/\n/g, ' cores,');
  } catch {
    return 'unknown machine';
  }
}
const machine = describeMachine();
lines.push('');
lines.push(
  `Run ${started.toISOString()} on ${machine}; ${minutes.toFixed(1)} min; load average (1/5/15 min) ` +
    `before ${loadBefore.map((l) => l.toFixed(2)).join('/')}, after ${loadAfter.map((l) => l.toFixed(2)).join('/')}.`,
);
console.log(`\n${lines.join('\n')}`);
