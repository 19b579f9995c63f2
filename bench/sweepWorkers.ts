/**
 * `optlab sweep`'s engine against PyTorch: 64 configurations of Adam on 2-D Rosenbrock (64 learning rates from
 * 1e-3 to 1e-1, 2,000 steps each), ours through the sweep's worker pool (src/runner/sweepPool.ts, each
 * configuration the run `optlab run` makes) with 1, 2, … workers, PyTorch running the same 64 one after
 * another in one process (bench/torch_bench.py's 'sweep' kind, loss and gradient norm read every step).
 * Also the batched tensor sweep (src/core/sweep.ts, the 64 rows as one program) for reference, and how long
 * a cancel takes until every worker has exited. Every configuration's final loss is checked against PyTorch's.
 *   npx tsx bench/sweepWorkers.ts [--workers 1,2] [--repeats 3] [--no-torch]
 * Writes bench/results/sweepWorkers.json.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { parseDimension } from '../src/core/tuning/searchSpace';
import { runRequestSchema } from '../src/protocol/runner';
import { selectBackend } from '../src/runner/backend';
import { silenceTfjsBanner } from '../src/runner/quietTfjs';
import { runSweep, sweepPoints, type SweepSpec } from '../src/runner/sweepEngine';
import { SweepPool } from '../src/runner/sweepPool';
import { buildBundles } from '../test/unit/runner/buildBundles';
import { mlpSweepInputs } from './sweepMlp';
import { sweepRosenbrock } from './sweepRosenbrock';
import { setWasmFlags } from '../src/runner/wasmFlags';

// Before any WebAssembly compiles (the products' fused multiply-add).
setWasmFlags();

const PYTHON = '/usr/bin/python3';
const ROSENBROCK = path.resolve(__dirname, '../examples/rosenbrock.ts');
const CONFIGS = 64;
const STEPS = 2000;
/** Rounded so both sides parse the same numbers. */
const LRS = Array.from({ length: CONFIGS }, (_, k) => Number((1e-3 * 100 ** (k / (CONFIGS - 1))).toPrecision(6)));
const TOL = 1e-3;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

function args() {
  const argv = process.argv.slice(2);
  const value = (flag: string) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
  return {
    workers: (value('--workers') ?? `1,2${os.cpus().length > 2 ? `,${os.cpus().length}` : ''}`).split(',').map(Number),
    repeats: Number(value('--repeats') ?? 3),
    torch: !argv.includes('--no-torch'),
    only: value('--only') as 'rosenbrock' | 'mlp' | undefined,
  };
}

type TorchSweep = { id: string; kind: 'sweep' | 'sweep-mlp'; lrs: number[]; steps: number; repeats: number; tol: number } & Record<string, unknown>;

/** PyTorch's seconds for the workload's configurations one after another (median of `repeats` after a warm-up) and each one's final loss. */
function torchSide(workload: TorchSweep): { seconds: number; finals: number[]; version: string } | string {
  if (!fs.existsSync(PYTHON)) return `${PYTHON} not found`;
  const out = spawnSync(PYTHON, [path.join(__dirname, 'torch_bench.py')], { input: JSON.stringify([workload]), encoding: 'utf8', stdio: ['pipe', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
  if (out.status !== 0) return `torch_bench.py failed (exit ${out.status})`;
  const parsed = JSON.parse(out.stdout) as { torch: string; results: Record<string, { stepsPerSec: number; check: number[] }> };
  const r = parsed.results[workload.id];
  return { seconds: (workload.lrs.length * workload.steps) / r.stepsPerSec, finals: r.check, version: parsed.torch };
}

const rosenbrockSpec: SweepSpec = {
  file: ROSENBROCK, optimizer: 'adam', hp: {}, steps: STEPS, seeds: 1, dims: [parseDimension(`lr=${LRS.join(',')}`)],
  mode: 'grid', seed: 0, halving: false, timeLimitMs: 600_000, compile: true,
};

/** Seconds of one sweep on a pool whose workers have started (a warm-up sweep ran first), and the final losses. */
async function oursWithWorkers(spec: SweepSpec, runner: string, workers: number, repeats: number): Promise<{ seconds: number; coldSeconds: number; finals: number[] }> {
  const cold = performance.now();
  const pool = new SweepPool({ workerScript: runner, workers });
  let finals: number[] = [];
  const times: number[] = [];
  let coldSeconds = NaN;
  for (let r = 0; r <= repeats; r++) {
    const t0 = performance.now();
    const result = await runSweep(spec, pool);
    if (r === 0) coldSeconds = (performance.now() - cold) / 1000;
    else times.push((performance.now() - t0) / 1000);
    finals = result.runs.map((x) => x.final.loss ?? NaN);
  }
  await pool.close();
  return { seconds: median(times), coldSeconds, finals };
}

/** Every worker count's row for one workload, printed as it is measured. */
async function workerRows(label: string, spec: SweepSpec, torch: ReturnType<typeof torchSide>, runner: string, o: ReturnType<typeof args>, tol: number) {
  const configs = sweepPoints(spec).length;
  if (typeof torch === 'string') console.log(`${label}: PyTorch side not run: ${torch}`);
  else console.log(`${label}: PyTorch ${torch.version}: ${configs} configurations in ${torch.seconds.toFixed(2)} s, ${((torch.seconds / configs) * 1000).toFixed(1)} ms each`);
  const rows: Record<string, unknown>[] = [];
  for (const workers of o.workers) {
    const ours = await oursWithWorkers(spec, runner, workers, o.repeats);
    const perConfigMs = (ours.seconds / configs) * 1000;
    const ratio = typeof torch === 'string' ? undefined : torch.seconds / ours.seconds;
    const check = typeof torch === 'string' ? undefined : worstError(ours.finals, torch.finals);
    rows.push({ workers, seconds: ours.seconds, coldSeconds: ours.coldSeconds, perConfigMs, ratio, check, ok: check === undefined || check <= tol });
    console.log(`${label}: ours, ${workers} worker(s): ${ours.seconds.toFixed(2)} s (${perConfigMs.toFixed(1)} ms per configuration; ${ours.coldSeconds.toFixed(2)} s with the workers' start-up)` +
      (ratio !== undefined ? `, ${ratio.toFixed(2)}x PyTorch, check ${check?.toExponential(1)} (tol ${tol})` : ''));
  }
  return rows;
}

/**
 * From cancel(), with two runs in progress: until both runs have stopped and returned (pool.stopped(): no worker
 * computing, the issue's 100 ms), and until both threads have exited (Node disposing each worker's isolate). Medians of `repeats`.
 */
async function cancelMs(runner: string, repeats: number): Promise<{ stoppedMs: number; exitedMs: number }> {
  const stopped: number[] = [];
  const exited: number[] = [];
  for (let r = 0; r < repeats; r++) {
    let running!: () => void;
    const started = new Promise<void>((resolve) => (running = resolve));
    const seen = new Set<number>();
    const pool = new SweepPool({ workerScript: runner, workers: 2, onProgress: (task) => seen.add(task) && seen.size === 2 && running() });
    const request = (task: number) => runRequestSchema.parse({ type: 'run', runId: `c${task}`, file: ROSENBROCK, optimizer: { id: 'adam', lr: 1e-3 }, steps: 1e8, landscape: false, timeLimitMs: 600_000 });
    const outcomes = [0, 1, 2].map((task) => pool.run({ task, request: request(task) }));
    await started;
    const t0 = performance.now();
    pool.cancel();
    await pool.stopped();
    stopped.push(performance.now() - t0);
    await Promise.all(outcomes);
    await pool.close();
    exited.push(performance.now() - t0);
  }
  return { stoppedMs: median(stopped), exitedMs: median(exited) };
}

function worstError(ours: number[], torch: number[]): number {
  return Math.max(...ours.map((o, i) => Math.abs(o - torch[i]) / Math.max(Math.abs(torch[i]), 1e-6 * 24.2)));
}

/** The batched tensor sweep (src/core/sweep.ts) at widths K: seconds for K configurations and per configuration. */
async function batchedWidths(torch: ReturnType<typeof torchSide>) {
  silenceTfjsBanner();
  await selectBackend('wasm');
  const widths: { k: number; seconds: number; perConfigMs: number; check?: number }[] = [];
  for (const k of [1, 4, 16, CONFIGS]) {
    const lrs = LRS.filter((_, i) => i % (CONFIGS / k) === 0);
    const t0 = performance.now();
    const batched = await sweepRosenbrock(2, lrs, STEPS);
    const seconds = (performance.now() - t0) / 1000;
    const check = typeof torch === 'string' ? undefined : worstError(batched.check, torch.finals.filter((_, i) => i % (CONFIGS / k) === 0));
    widths.push({ k, seconds, perConfigMs: (seconds / k) * 1000, check });
    console.log(`batched tensors (src/core/sweep.ts, K = ${k} rows, ${tf.getBackend()}): ${seconds.toFixed(2)} s, ${((seconds / k) * 1000).toFixed(1)} ms per configuration` +
      (typeof torch === 'string' ? '' : `, ${((torch.seconds / CONFIGS) / (seconds / k)).toFixed(1)}x PyTorch, check ${check?.toExponential(1)}`));
  }
  return widths;
}

async function main(): Promise<void> {
  const o = args();
  const { runner } = await buildBundles();
  const rosenbrockTorch = o.torch && o.only !== 'mlp' ? torchSide({ id: 'sweep64', kind: 'sweep', n: 2, lrs: LRS, steps: STEPS, repeats: o.repeats, tol: TOL }) : 'skipped (--no-torch)';
  const rows = o.only !== 'mlp' ? await workerRows(`Rosenbrock, ${CONFIGS} x adam`, rosenbrockSpec, rosenbrockTorch, runner, o, TOL) : [];
  const mlp = o.only !== 'rosenbrock' ? await mlpSweepInputs() : undefined;
  const mlpTorch = mlp && o.torch ? torchSide(mlp.torchWorkload(o.repeats)) : 'skipped';
  const mlpRows = mlp ? await workerRows(`MLP, ${sweepPoints(mlp.spec).length} x adam`, mlp.spec, mlpTorch, runner, o, mlp.tol) : [];
  const batched = o.only !== 'mlp' ? await batchedWidths(rosenbrockTorch) : [];
  const cancel = await cancelMs(runner, o.repeats);
  console.log(`cancel with 2 workers running: every run stopped and returned ${cancel.stoppedMs.toFixed(0)} ms after cancel(), every thread exited after ${cancel.exitedMs.toFixed(0)} ms (medians of ${o.repeats})`);
  const out = path.join(__dirname, 'results', 'sweepWorkers.json');
  const torchInfo = (t: ReturnType<typeof torchSide>) => (typeof t === 'string' ? t : { seconds: t.seconds, version: t.version });
  fs.writeFileSync(out, `${JSON.stringify({
    date: new Date().toISOString(), cpus: os.cpus().length, load: os.loadavg(),
    rosenbrock: { torch: torchInfo(rosenbrockTorch), rows, batched }, mlp: { torch: torchInfo(mlpTorch), rows: mlpRows }, cancel,
  }, null, 2)}\n`);
  if ([...rows, ...mlpRows].some((r) => r.ok === false)) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
