import * as tf from '@tensorflow/tfjs';
import { sweep } from '../src/core/sweep';
import { rosenbrock } from '../src/core/testFunctions';
import { rosenbrockStart } from './workloads';

/** Adam on Rosenbrock for every lr at once (src/core/sweep.ts), every step's losses read back in batches. */
export async function sweepRosenbrock(n: number, lrs: readonly number[], steps: number): Promise<{ check: number[]; initial: number[] }> {
  const x0 = tf.tensor1d(rosenbrockStart(n));
  let initial: number[] = [];
  const result = await sweep({
    f: rosenbrock(n).fBatch!,
    x0,
    lrs,
    optimizer: 'adam',
    steps,
    onMetrics: (batch) => {
      if (batch[0].step === 0) initial = Array.from(batch[0].losses);
    },
  });
  x0.dispose();
  return { check: result.runs.map((r) => r.final.loss), initial };
}
