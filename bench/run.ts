/**
 * `npm run bench`: the PyTorch side (bench/torch_bench.py with /usr/bin/python3)
 * and then ours, on the same workloads, in one process tree; prints a table and
 * writes it as JSON to bench/results/latest.json.
 *
 *   npm run bench -- [--backend wasm|cpu|node] [--only "<workload id>"]... [--no-torch] [--e2e] [--sweep]
 *
 * --e2e adds bench/endToEnd.ts's rows: optlab run vs PyTorch end to end (fresh processes, n = 1e6 and 1e7; minutes).
 * --sweep adds bench/sweepWorkers.ts's rows (one repeat): `optlab sweep`'s 64 Rosenbrock and 16 MLP configurations
 * with 1, 2, … workers against PyTorch running them one after another in one process (minutes).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { BackendId } from '../src/protocol/runner';
import { selectBackend } from '../src/runner/backend';
import { silenceTfjsBanner } from '../src/runner/quietTfjs';
import { runEndToEnd } from './endToEnd';
import { writeCnnInputs } from './cnnProblem';
import { writeExampleInputs } from './exampleProblem';
import { wasmMultiplyAddLimit } from './multiplyAdds';
import { runOurs, type SideResult } from './ours';
import { WORKLOADS } from './workloads';
import { setWasmFlags } from '../src/runner/wasmFlags';

// Before any WebAssembly compiles (the products' fused multiply-add).
setWasmFlags();

const PYTHON = '/usr/bin/python3';

interface Row {
  workload: string;
  ours: number;
  torch?: number;
  ratio?: number;
  backend: string;
  /** Largest relative difference of the checked values (undefined without torch). */
  checkError?: number;
  checkTol: number;
  ok: boolean;
  /** Multiply-adds of one step's products and convolutions, and both sides' rates of them (G/s). */
  multiplyAddsPerStep?: number;
  oursMultiplyAddRate?: number;
  torchMultiplyAddRate?: number;
}

function parseArgs(argv: string[]) {
  const only: string[] = [];
  let backend: BackendId | undefined;
  let torch = true;
  let e2e = false;
  let sweep = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--sweep') {
      sweep = true;
      continue;
    }
    if (argv[i] === '--e2e') {
      e2e = true;
      continue;
    }
    if (argv[i] === '--only') only.push(argv[++i]);
    else if (argv[i] === '--backend') backend = argv[++i] as BackendId;
    else if (argv[i] === '--no-torch') torch = false;
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return { only, backend, torch, e2e, sweep };
}

function runTorch(ids: string[]): { version: string; threads: number; results: Record<string, SideResult> } | string {
  if (!fs.existsSync(PYTHON)) return `${PYTHON} not found`;
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return 'python3-torch is not installed (import torch failed)';
  const workloads = WORKLOADS.filter((w) => ids.includes(w.id));
  // PyTorch starts from our initial weights and data, not from draws of its own.
  for (const w of workloads) if (w.kind === 'cnn-adam') writeCnnInputs(path.join(os.tmpdir(), w.dataFile), w.batch, w.batchNorm);
  const out = spawnSync(PYTHON, [path.join(__dirname, 'torch_bench.py')], {
    input: JSON.stringify(workloads),
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'inherit'],
    maxBuffer: 16 * 1024 * 1024,
  });
  if (out.status !== 0) return `torch_bench.py failed (exit ${out.status})`;
  const parsed = JSON.parse(out.stdout) as { torch: string; threads: number; results: Record<string, SideResult> };
  return { version: parsed.torch, threads: parsed.threads, results: parsed.results };
}

/** max over values of |ours − torch| / max(|torch|, 1e-6·|initial|, 1e-12). */
function checkError(ours: SideResult, torch: SideResult): number {
  let worst = 0;
  for (let i = 0; i < torch.check.length; i++) {
    const floor = Math.max(1e-6 * Math.abs(torch.initial[i] ?? 0), 1e-12);
    const err = Math.abs(ours.check[i] - torch.check[i]) / Math.max(Math.abs(torch.check[i]), floor);
    worst = Math.max(worst, Number.isNaN(err) ? Infinity : err);
  }
  return ours.check.length === torch.check.length ? worst : Infinity;
}

const fmt = (x: number | undefined, digits = 0) => (x === undefined ? '—' : x.toFixed(digits));

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const workloads = WORKLOADS.filter((w) => args.only.length === 0 || args.only.includes(w.id));
  if (workloads.length === 0) throw new Error(`no workload matches ${args.only.join(', ')}`);

  // The backend first: the CNN's inputs for PyTorch are made with tensors.
  silenceTfjsBanner();
  const choice = await selectBackend(args.backend);
  if (args.torch) {
    // PyTorch starts from the example's initial weights and data as the runner draws them (seed 0).
    for (const w of workloads) if (w.kind === 'example-adam') await writeExampleInputs(path.join(os.tmpdir(), w.dataFile), w.file, w.objective, w.batch);
  }
  const torch = args.torch ? runTorch(workloads.map((w) => w.id)) : 'skipped (--no-torch)';
  if (typeof torch === 'string') console.log(`PyTorch side not run: ${torch}; reporting ours only`);

  const rows: Row[] = [];
  for (const w of workloads) {
    const before = tf.memory().numTensors;
    const ours = await runOurs(w);
    const leaked = tf.memory().numTensors - before;
    if (leaked !== 0) console.log(`  warning: ${w.id} left ${leaked} tensors`);
    const theirs = typeof torch === 'string' ? undefined : torch.results[w.id];
    const err = theirs ? checkError(ours, theirs) : undefined;
    const row: Row = {
      workload: w.id,
      ours: ours.stepsPerSec,
      torch: theirs?.stepsPerSec,
      ratio: theirs ? ours.stepsPerSec / theirs.stepsPerSec : undefined,
      backend: ours.path ?? choice.backend,
      checkError: err,
      checkTol: w.tol,
      ok: err === undefined ? ours.check.every(Number.isFinite) : err <= w.tol,
      ...multiplyAddRates(ours.multiplyAddsPerStep, ours.stepsPerSec, theirs?.stepsPerSec),
    };
    rows.push(row);
    console.log(`ours: ${w.id}: ${fmt(row.ours, 1)}/s${err !== undefined ? `, check ${err.toExponential(1)} (tol ${w.tol})` : ''}`);
  }

  const header = ['workload', 'ours /s', 'PyTorch /s', 'ratio', 'ran on', 'check'];
  const table = rows.map((r) => [
    r.workload,
    fmt(r.ours, r.ours < 100 ? 1 : 0),
    fmt(r.torch, r.torch !== undefined && r.torch < 100 ? 1 : 0),
    r.ratio === undefined ? '—' : `${r.ratio.toFixed(2)}x`,
    r.backend,
    r.ok ? 'ok' : `FAIL (${r.checkError?.toExponential(1)})`,
  ]);
  console.log('');
  printTable(header, table);

  const limit = printMultiplyAdds(rows);
  const machine = {
    ...(limit === undefined ? {} : { wasmMultiplyAddLimit: limit }),
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    tfjs: tf.version.tfjs,
    backend: choice.backend,
    backendNotes: choice.notes,
    torch: typeof torch === 'string' ? torch : `${torch.version} (${torch.threads} threads)`,
  };
  const outDir = path.join(__dirname, 'results');
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'latest.json'), JSON.stringify({ date: new Date().toISOString(), machine, rows }, null, 2) + '\n');
  console.log(`\n${machine.cpus} × ${machine.cpuModel}, node ${machine.node}, tfjs ${machine.tfjs}, PyTorch ${machine.torch}`);
  if (rows.some((r) => !r.ok)) process.exitCode = 1;
  if (args.e2e) {
    console.log('\nEnd to end (fresh processes, start-up included; medians of 3):');
    await runEndToEnd(args.torch ? [] : ['--no-torch']);
  }
  if (args.sweep) runSweepRows(args.torch);
}

/** A row's multiply-adds per step and each side's G multiply-adds/s, when its step is products and convolutions. */
function multiplyAddRates(perStep: number | undefined, ours: number, torch: number | undefined): Partial<Row> {
  if (perStep === undefined || perStep === 0) return {};
  return { multiplyAddsPerStep: perStep, oursMultiplyAddRate: (perStep * ours) / 1e9, torchMultiplyAddRate: torch === undefined ? undefined : (perStep * torch) / 1e9 };
}

/**
 * The rows with multiply-adds against one core's limit as WebAssembly reaches it (bench/multiplyAdds.ts,
 * measured here); returns that limit in G/s, or undefined when no row has any.
 */
function printMultiplyAdds(rows: readonly Row[]): number | undefined {
  const counted = rows.filter((r) => r.multiplyAddsPerStep !== undefined);
  if (counted.length === 0) return undefined;
  const limit = wasmMultiplyAddLimit() / 1e9;
  const share = (rate: number | undefined) => (rate === undefined ? '—' : `${rate.toFixed(1)} (${((100 * rate) / limit).toFixed(0)} %)`);
  const header = ['workload', 'M multiply-adds/step', 'ours G/s (of limit)', 'PyTorch G/s (of limit)'];
  const table = counted.map((r) => [r.workload, ((r.multiplyAddsPerStep as number) / 1e6).toFixed(1), share(r.oursMultiplyAddRate), share(r.torchMultiplyAddRate)]);
  console.log(`\nProducts and convolutions against one core's multiply-add limit in WebAssembly SIMD, measured here: ${limit.toFixed(1)} G/s`);
  printTable(header, table);
  return limit;
}

/** A text table: the first column left-aligned, the others right-aligned, each as wide as its widest cell. */
function printTable(header: readonly string[], table: readonly string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(header));
  for (const row of table) console.log(line(row));
}

/** bench/sweepWorkers.ts in a process of its own (it starts worker threads and reads its own flags), under this tsx. */
function runSweepRows(torch: boolean): void {
  console.log('\nSweeps (`optlab sweep`, one repeat; per configuration, against PyTorch one after another in one process):');
  const flags = ['--repeats', '1', ...(torch ? [] : ['--no-torch'])];
  const child = spawnSync(process.execPath, [...process.execArgv, path.join(__dirname, 'sweepWorkers.ts'), ...flags], { stdio: 'inherit' });
  if (child.status !== 0) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
