/**
 * The MLP sweep row in CPU time, which a loaded machine disturbs less than the wall clock: per configuration,
 * ours as one sweep worker runs them (bench/sweepMlp.ts's 16 learning rates, 500 steps, seed 0, in this process
 * with the worker's kept compiled objective and data, src/runner/sweepReuse.ts; process CPU time of the 16 runs
 * after one untimed) and PyTorch's (bench/torch_bench.py's 'sweep-mlp' workload, the same configurations one
 * after another; Python's process time around them after a warm-up), in alternating rounds, with each final
 * loss of ours against PyTorch's.
 *   npx tsx bench/sweepCpu.ts [rounds]
 */
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { registerSecondOrderGradients } from '../src/core/tfjs/secondOrderGradients';
import { runRequestSchema } from '../src/protocol/runner';
import { selectBackend, type BackendChoice } from '../src/runner/backend';
import { compileObjective, type CompiledObjective } from '../src/runner/compile';
import { runObjective } from '../src/runner/run';
import { KeptObjectives } from '../src/runner/sweepReuse';
import { mlpSweepInputs } from './sweepMlp';

const TORCH_CPU = `
import json, sys, time
sys.path.insert(0, sys.argv[1])
import torch_bench
w = json.load(sys.stdin)
go = torch_bench.run(w)
go()
start = time.process_time()
finals, _ = go()
print(json.dumps({'cpu': time.process_time() - start, 'finals': finals}))
`;

type Inputs = Awaited<ReturnType<typeof mlpSweepInputs>>;

/** PyTorch's CPU seconds for the 16 configurations and its final losses. */
function torchCpu(inputs: Inputs): { cpu: number; finals: number[] } {
  const out = spawnSync('/usr/bin/python3', ['-c', TORCH_CPU, __dirname], { input: JSON.stringify(inputs.torchWorkload(1)), encoding: 'utf8', maxBuffer: 64 << 20 });
  if (out.status !== 0) throw new Error(`PyTorch side failed: ${out.stderr}`);
  return JSON.parse(out.stdout) as { cpu: number; finals: number[] };
}

/** Our CPU seconds for the configurations (one untimed first) and the final losses, one worker's way. */
async function oursCpu(backend: BackendChoice, lrs: readonly number[], kept: KeptObjectives, compile: (file: string) => Promise<CompiledObjective>): Promise<{ cpu: number; finals: number[] }> {
  const finals: number[] = [];
  let cpu = 0;
  for (const [k, lr] of [lrs[0], ...lrs].entries()) {
    const req = runRequestSchema.parse({
      type: 'run', runId: `r${k}`, file: path.resolve(__dirname, 'sweepMlpObjective.ts'), optimizer: { id: 'adam', lr }, steps: 500, seed: 0,
      curvatureEvery: 0, landscape: false, timeLimitMs: 600_000, compile: true,
    });
    const start = process.cpuUsage();
    let loss = NaN;
    await runObjective(req, backend, tf, (m) => {
      if (m.type === 'done') loss = m.final.loss ?? NaN;
    }, { isCancelled: () => false, lrSet: () => undefined, compile, compiledObjective: (key: string) => kept.source(key), keptData: (key: string) => kept.data(key) });
    const used = process.cpuUsage(start);
    if (k === 0) continue;
    cpu += (used.user + used.system) / 1e6;
    finals.push(loss);
  }
  return { cpu, finals };
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 3);
  const inputs = await mlpSweepInputs();
  const backend = await selectBackend('wasm');
  registerSecondOrderGradients();
  const lrs = inputs.torchWorkload(1).lrs;
  const bundles = new Map<string, Promise<CompiledObjective>>();
  const compile = (file: string) => bundles.get(file) ?? bundles.set(file, compileObjective(file)).get(file) as Promise<CompiledObjective>;
  const kept = new KeptObjectives();
  for (let r = 0; r < rounds; r++) {
    const load = os.loadavg()[0].toFixed(1);
    const ours = await oursCpu(backend, lrs, kept, compile);
    const torch = torchCpu(inputs);
    const worst = Math.max(...ours.finals.map((o, i) => Math.abs(o - torch.finals[i]) / Math.max(Math.abs(torch.finals[i]), 1e-6)));
    const per = (s: number) => (1000 * s) / lrs.length;
    console.log(`round ${r + 1} (load ${load}): CPU per configuration ours ${per(ours.cpu).toFixed(1)} ms, PyTorch ${per(torch.cpu).toFixed(1)} ms ` +
      `(${(torch.cpu / ours.cpu).toFixed(2)}x); final losses within ${worst.toExponential(1)} of PyTorch's`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
