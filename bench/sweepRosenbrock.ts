import * as tf from '@tensorflow/tfjs';
import { evaluatorOf } from '../src/core/evaluate';
import { minimize } from '../src/core/minimize';
import { createOptimizer } from '../src/core/optimizers/registry';
import { constantSchedule } from '../src/core/schedule';
import { rosenbrock } from '../src/core/testFunctions';
import { rosenbrockStart } from './workloads';

/** Adam on Rosenbrock for each lr (one run after another); final and initial losses per lr. */
export async function sweepRosenbrock(n: number, lrs: readonly number[], steps: number): Promise<{ check: number[]; initial: number[] }> {
  const evaluate = evaluatorOf(rosenbrock(n).f);
  const x0 = tf.tensor1d(rosenbrockStart(n));
  const check: number[] = [];
  const initial: number[] = [];
  for (const lr of lrs) {
    let first = NaN;
    const r = await minimize({
      evaluate: (x) => evaluate(x),
      x0,
      optimizer: createOptimizer('adam', {}),
      schedule: constantSchedule(lr),
      steps,
      onMetrics: (b) => {
        if (b[0].step === 0) first = b[0].loss;
      },
    });
    r.params.dispose();
    check.push(r.final.loss);
    initial.push(first);
  }
  x0.dispose();
  return { check, initial };
}
