/**
 * Our side of the benchmark: each workload timed through the same entry points
 * the runner uses (minimize with every step's loss and gradient norm read back
 * in batches; hessianVectorProduct; lanczos; sweep).
 */
import * as tf from '@tensorflow/tfjs';
import { hessianOperator, hessianVectorProduct } from '../src/core/curvature/hvp';
import { lanczos } from '../src/core/curvature/lanczos';
import { evaluatorOf } from '../src/core/evaluate';
import { minimize } from '../src/core/minimize';
import type { Evaluate, Optimizer } from '../src/core/optimizer';
import { createOptimizer } from '../src/core/optimizers/registry';
import { constantSchedule } from '../src/core/schedule';
import { illConditionedQuadratic, rosenbrock } from '../src/core/testFunctions';
import { mlpProblem } from './problems';
import { sweepRosenbrock } from './sweepRosenbrock';
import { rosenbrockStart, workOf, type Workload } from './workloads';

/** One side's measurement of one workload. */
export interface SideResult {
  /** Median over repeats of steps (or products, estimates) per second. */
  stepsPerSec: number;
  /** The numbers the check compares (final loss, ‖Hv‖, λmax, each lr's final loss). */
  check: number[];
  /** Loss at the start, for the check's absolute floor. */
  initial: number[];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Warm-up once, then `repeats` timed runs; each returns its check values. */
async function timed(w: Workload, run: () => Promise<{ check: number[]; initial: number[] }>): Promise<SideResult> {
  await run();
  const rates: number[] = [];
  let last = { check: [] as number[], initial: [] as number[] };
  for (let r = 0; r < w.repeats; r++) {
    const start = performance.now();
    last = await run();
    rates.push(workOf(w) / ((performance.now() - start) / 1000));
  }
  return { stepsPerSec: median(rates), ...last };
}

async function train(evaluate: (x: tf.Tensor1D, step: number) => ReturnType<Evaluate>, x0: tf.Tensor1D, optimizer: () => Optimizer, lr: number, steps: number) {
  let initial = NaN;
  const result = await minimize({
    evaluate,
    x0,
    optimizer: optimizer(),
    schedule: constantSchedule(lr),
    steps,
    onMetrics: (batch) => {
      if (batch[0].step === 0) initial = batch[0].loss;
    },
  });
  result.params.dispose();
  if (result.status !== 'completed') throw new Error(`run ended '${result.status}'`);
  return { check: [result.final.loss], initial: [initial] };
}

export async function runOurs(w: Workload): Promise<SideResult> {
  switch (w.kind) {
    case 'adam-rosenbrock': {
      const evaluate = evaluatorOf(rosenbrock(w.n).f);
      const x0 = tf.tensor1d(rosenbrockStart(w.n));
      const out = await timed(w, () => train((x) => evaluate(x), x0, () => createOptimizer('adam', {}), w.lr, w.steps));
      x0.dispose();
      return out;
    }
    case 'sgd-quadratic':
    case 'lbfgs-quadratic': {
      const fn = illConditionedQuadratic(w.n, w.kappa);
      const evaluate = evaluatorOf(fn.f);
      const x0 = tf.tensor1d([...fn.x0]);
      const make = () =>
        w.kind === 'sgd-quadratic'
          ? createOptimizer('sgd', { momentum: w.momentum })
          : createOptimizer('lbfgs', { history_size: w.history });
      const out = await timed(w, () => train((x) => evaluate(x), x0, make, w.lr, w.steps));
      x0.dispose();
      return out;
    }
    case 'mlp-adam': {
      const problem = mlpProblem(w.samples, w.features, w.hidden, w.batch);
      const evaluators = new Map<number, Evaluate>();
      const batches = Math.floor(w.samples / w.batch);
      const evaluate = (x: tf.Tensor1D, step: number) => {
        const key = step % batches;
        let e = evaluators.get(key);
        if (!e) evaluators.set(key, (e = evaluatorOf(problem.objective(key))));
        return e(x);
      };
      const x0 = tf.tensor1d(problem.x0);
      const out = await timed(w, () => train(evaluate, x0, () => createOptimizer('adam', {}), w.lr, w.steps));
      x0.dispose();
      problem.dispose();
      return out;
    }
    case 'hvp': {
      const f = rosenbrock(w.n).f;
      const x = tf.tensor1d(rosenbrockStart(w.n));
      const v = tf.ones([w.n]) as tf.Tensor1D;
      const out = await timed(w, async () => {
        let norm = NaN;
        for (let k = 0; k < w.steps; k++) {
          const hv = hessianVectorProduct(f, x, v);
          const nrm = tf.norm(hv);
          norm = (await nrm.data())[0];
          tf.dispose([hv, nrm]);
        }
        return { check: [norm], initial: [norm] };
      });
      tf.dispose([x, v]);
      return out;
    }
    case 'lanczos': {
      const f = rosenbrock(w.n).f;
      const x = tf.tensor1d(rosenbrockStart(w.n));
      const out = await timed(w, async () => {
        const r = await lanczos(hessianOperator(f, x), w.n, { maxIterations: w.iterations, tol: 0 });
        return { check: [r.lambdaMax], initial: [r.lambdaMax] };
      });
      x.dispose();
      return out;
    }
    case 'sweep':
      return timed(w, () => sweepRosenbrock(w.n, w.lrs, w.steps));
  }
}
