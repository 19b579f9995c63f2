/**
 * Where one sweep configuration's time goes: the bench's MLP sweep configuration (bench/sweepMlp.ts: Adam,
 * 500 steps, seed 0) run N times in this process as a sweep's worker runs them (each file bundled once,
 * runObjective per configuration), with the worker's kept compiled objective and data (sweepReuse.ts) or, with
 * --fresh, without; --rosenbrock: the Rosenbrock row's configuration instead (examples/rosenbrock.ts, 2,000 steps).
 * Per run: wall and CPU time, set-up (until 'started'), the steps, the final loss.
 *   npx tsx bench/sweepPhases.ts [N] [--fresh] [--rosenbrock]
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { registerSecondOrderGradients } from '../src/core/tfjs/secondOrderGradients';
import { runRequestSchema } from '../src/protocol/runner';
import { selectBackend } from '../src/runner/backend';
import { compileObjective, type CompiledObjective } from '../src/runner/compile';
import { silenceTfjsBanner } from '../src/runner/quietTfjs';
import { runObjective } from '../src/runner/run';
import { KeptObjectives } from '../src/runner/sweepReuse';

const ROSENBROCK = process.argv.includes('--rosenbrock');
const FILE = ROSENBROCK ? path.resolve(__dirname, '../examples/rosenbrock.ts') : path.resolve(__dirname, 'sweepMlpObjective.ts');

async function main(): Promise<void> {
  silenceTfjsBanner();
  const backend = await selectBackend('wasm');
  registerSecondOrderGradients();
  const bundles = new Map<string, Promise<CompiledObjective>>();
  const compile = (file: string, text?: string): Promise<CompiledObjective> => {
    if (!bundles.has(file)) bundles.set(file, compileObjective(file, text));
    return bundles.get(file) as Promise<CompiledObjective>;
  };
  const runs = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 4);
  const kept = process.argv.includes('--fresh') ? undefined : new KeptObjectives();
  for (let i = 0; i < runs; i++) {
    const req = runRequestSchema.parse({
      type: 'run', runId: `r${i}`, file: FILE, optimizer: { id: 'adam', lr: 1e-3 * (1 + i) }, steps: ROSENBROCK ? 2000 : 500, seed: 0,
      curvatureEvery: 0, landscape: false, timeLimitMs: 600_000, compile: true,
    });
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    let started = NaN;
    let done = NaN;
    let loss: number | null = null;
    await runObjective(req, backend, tf, (m) => {
      if (m.type === 'started') started = performance.now();
      else if (m.type === 'done') [done, loss] = [performance.now(), m.final.loss];
    }, { isCancelled: () => false, lrSet: () => undefined, compile, ...(kept ? { compiledObjective: (key: string) => kept.source(key), keptData: (key: string) => kept.data(key) } : {}) });
    const cpu = process.cpuUsage(cpu0);
    console.log(`run ${i}: ${(performance.now() - t0).toFixed(0)} ms (CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms): ` +
      `set-up ${(started - t0).toFixed(0)}, steps ${(done - started).toFixed(0)}; final loss ${loss}; tensors ${tf.memory().numTensors}`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
