/**
 * A/B of the fused Adam kernel against the op chain, interleaved so machine
 * load hits both alike: Adam on the Rosenbrock chain through minimize.
 *
 *   npx tsx bench/fusedAdam.ts [--backend wasm|cpu]
 */
import * as tf from '@tensorflow/tfjs';
import { evaluatorOf } from '../src/core/evaluate';
import { minimize } from '../src/core/minimize';
import { createOptimizer } from '../src/core/optimizers/registry';
import { constantSchedule } from '../src/core/schedule';
import { rosenbrock } from '../src/core/testFunctions';
import { setFusedAdamEnabled } from '../src/core/tfjs/fusedAdam';
import type { BackendId } from '../src/protocol/runner';
import { selectBackend } from '../src/runner/backend';
import { silenceTfjsBanner } from '../src/runner/quietTfjs';
import { rosenbrockStart } from './workloads';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function stepsPerSec(n: number, steps: number): Promise<number> {
  const evaluate = evaluatorOf(rosenbrock(n).f);
  const x0 = tf.tensor1d(rosenbrockStart(n));
  const start = performance.now();
  const r = await minimize({ evaluate: (x) => evaluate(x), x0, optimizer: createOptimizer('adam', {}), schedule: constantSchedule(1e-3), steps });
  const rate = steps / ((performance.now() - start) / 1000);
  r.params.dispose();
  x0.dispose();
  return rate;
}

async function main(): Promise<void> {
  silenceTfjsBanner();
  const i = process.argv.indexOf('--backend');
  await selectBackend(i >= 0 ? (process.argv[i + 1] as BackendId) : 'wasm');
  console.log(`backend ${tf.getBackend()}; steps/s, median of 5 interleaved runs`);
  for (const [n, steps] of [[2, 2000], [1000, 2000], [4096, 1000], [100_000, 200]]) {
    const rates: Record<string, number[]> = { fused: [], chain: [] };
    for (let r = 0; r < 6; r++) {
      for (const fused of [true, false]) {
        setFusedAdamEnabled(fused);
        const rate = await stepsPerSec(n, steps);
        if (r > 0) rates[fused ? 'fused' : 'chain'].push(rate); // first round: warm-up
      }
    }
    setFusedAdamEnabled(true);
    const [f, c] = [median(rates.fused), median(rates.chain)];
    console.log(`n = ${n}: fused ${f.toFixed(0)}, op chain ${c.toFixed(0)} (${(f / c).toFixed(2)}x)`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
