/**
 * Our side of the benchmark: each workload timed through the same entry points
 * the runner uses (minimize with every step's loss and gradient norm read back
 * in batches; hessianVectorProduct; lanczos on the compiled product or on TensorFlow.js's; sweep).
 */
import * as tf from '@tensorflow/tfjs';
import { hessianOperator, hessianVectorProduct, onArrays } from '../src/core/curvature/hvp';
import { lanczos } from '../src/core/curvature/lanczos';
import type { ArrayOptimizer } from '../src/core/arrays/contracts';
import { minimizeArrays } from '../src/core/arrays/minimizeArrays';
import { compileHessian } from '../src/core/compiled/compileHessianOperator';
import { CompiledValueAndGrad, type ArrayInput, type TensorObjective } from '../src/core/compiled/compileValueAndGrad';
import { NotCompilable } from '../src/core/compiled/program';
import { evaluatorOf } from '../src/core/evaluate';
import { minimize } from '../src/core/minimize';
import type { Evaluate, Optimizer } from '../src/core/optimizer';
import { createOptimizer, optimizerFactory } from '../src/core/optimizers/registry';
import { constantSchedule } from '../src/core/schedule';
import { illConditionedQuadratic, rosenbrock } from '../src/core/testFunctions';
import { cnnProblem } from './cnnProblem';
import { exampleProblem } from './exampleProblem';
import { multiplyAddsPerStep } from './multiplyAdds';
import { mlpProblem } from './problems';
import { sweepRosenbrock } from './sweepRosenbrock';
import { COMPILED_MAX_PARAMS } from '../src/runner/arrayPath';
import { probeFasterPath } from '../src/runner/pathProbe';
import { rosenbrockStart, workOf, type Workload } from './workloads';
import * as path from 'node:path';
import { ruleFactory, validateRule } from '../src/core/rules/ruleFactory';
import { releaseAbandonedTape } from '../src/runner/abandonedTape';
import { compileObjective } from '../src/runner/compile';
import { loadBundle } from '../src/runner/loadBundle';
import { registerProductThreads } from '../src/core/compiled/productThreads';
import { ProductPool } from '../src/runner/productPool';

/** One side's measurement of one workload. */
export interface SideResult {
  /** Median over repeats of steps (or products, estimates) per second. */
  stepsPerSec: number;
  /** The numbers the check compares (final loss, ‖Hv‖, λmax, each lr's final loss). */
  check: number[];
  /** Loss at the start, for the check's absolute floor. */
  initial: number[];
  /** 'compiled JS' when the steps ran on the plain-JS path, else undefined (the backend's tensors). */
  path?: string;
  /** Multiply-adds of one step's products and convolutions (the deep-learning rows; multiplyAdds.ts). */
  multiplyAddsPerStep?: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Warm-up once, then `repeats` timed runs; each returns its check values. */
async function timed(w: Workload, run: () => Promise<{ check: number[]; initial: number[]; path?: string }>): Promise<SideResult> {
  await run();
  const rates: number[] = [];
  let last: { check: number[]; initial: number[]; path?: string } = { check: [], initial: [] };
  for (let r = 0; r < w.repeats; r++) {
    const start = performance.now();
    last = await run();
    rates.push(workOf(w) / ((performance.now() - start) / 1000));
  }
  return { stepsPerSec: median(rates), ...last };
}

async function train(evaluate: (x: tf.Tensor1D, step: number) => ReturnType<Evaluate>, x0: tf.Tensor1D, optimizer: () => Optimizer | Promise<Optimizer>, lr: number, steps: number) {
  let initial = NaN;
  const result = await minimize({
    evaluate,
    x0,
    optimizer: await optimizer(),
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

/**
 * What a run in the runner does when its objective compiles (src/runner/arrayPath.ts): value and
 * gradient compiled to plain JS, minimizeArrays with the optimizer's array form, every record emitted.
 * OPTLAB_COMPILE=0 measures the tensor path instead, as it does in the runner.
 */
async function trainCompiled(f: TensorObjective, inputsAt: (step: number) => ArrayInput[], x0: Float32Array, optimizer: ArrayOptimizer, lr: number, steps: number) {
  const compiled = new CompiledValueAndGrad(f, x0.length);
  // The runner's rule (arrayPath.ts): a large objective with loops left in JS is timed both ways first
  // (counted here, as the runner pays it too) and runs on the faster. Compiled without a run, as there.
  compiled.prepare(x0, inputsAt(0));
  if (x0.length > COMPILED_MAX_PARAMS && !compiled.vectorised) {
    const probe = probeFasterPath({ compiled: () => compiled.run(x0, inputsAt(0), new Float32Array(x0.length)), tensors: () => tensorValueAndGrad(f, x0, inputsAt(0)) });
    console.log(`  path probe: ${probe.summary}`);
    if (!probe.compiledFaster) throw new KeptOnTensors(`above ${COMPILED_MAX_PARAMS} parameters with loops that stay in JS, tensors measured faster: ${probe.summary}`);
  }
  let initial = NaN;
  const result = await minimizeArrays({
    objective: {
      size: x0.length,
      valueAndGrad: (x, step, gradOut) => compiled.run(x, inputsAt(step), gradOut),
      lastGradNormSq: () => compiled.gradNormSq,
      // As the runner's objective: the program reads the parameters and writes the gradient in the optimizer's memory.
      shareWorkspace: (workspace) => compiled.shareWorkspace(workspace),
    },
    x0,
    optimizer,
    schedule: constantSchedule(lr),
    steps,
    flushIntervalMs: 25,
    onMetrics: (batch) => {
      if (batch[0].step === 0) initial = batch[0].loss;
    },
  });
  if (result.status !== 'completed') throw new Error(`run ended '${result.status}'`);
  return { check: [result.final.loss], initial: [initial], path: pathOf(compiled.wasmLoops) };
}

const compiling = () => process.env.OPTLAB_COMPILE !== '0';

/** One value and gradient on tensors, read back (the path probe's tensor side). */
function tensorValueAndGrad(f: TensorObjective, x0: Float32Array, inputs: readonly ArrayInput[]): void {
  tf.tidy(() => {
    const tensors = inputs.map((i) => tf.tensor(i.values, [...i.shape], i.dtype ?? 'float32'));
    const { value, grad } = tf.valueAndGrad((x: tf.Tensor1D) => f(x, tensors))(tf.tensor1d(x0));
    value.dataSync();
    grad.dataSync();
  });
}

/** The runner's size rule refused the compiled program (it would run on tensors). */
class KeptOnTensors extends Error {}

/**
 * `file#name` (relative to the repository) as the runner loads it, or a built-in's id (no '#'),
 * created for one vector of n parameters.
 */
async function ruleFromFile(ref: string, n: number): Promise<Optimizer> {
  if (!ref.includes('#')) return optimizerFactory(ref).create({}, [{ name: '', shape: [n] }]);
  const [file, name] = ref.split('#');
  const bundle = await compileObjective(path.join(__dirname, '..', file));
  const rule = loadBundle(bundle, tf)[name];
  return ruleFactory(name, validateRule(name, rule), { file }).create({}, [{ name: '', shape: [n] }]);
}
/** The "ran on" label of a compiled workload. */
const pathOf = (wasmLoops: number) => (wasmLoops > 0 ? 'compiled wasm SIMD' : 'compiled JS');

/** A workload with `threads` > 1 runs with a pool of product threads registered, as a run with --threads does. */
export async function runOurs(w: Workload): Promise<SideResult> {
  const multiplyAdds = await stepMultiplyAdds(w);
  const threads = 'threads' in w ? (w.threads ?? 1) : 1;
  if (threads <= 1) return { ...(await runWorkload(w)), multiplyAddsPerStep: multiplyAdds };
  const pool = new ProductPool(threads);
  await pool.start();
  registerProductThreads(pool);
  try {
    return { ...(await runWorkload(w)), multiplyAddsPerStep: multiplyAdds };
  } finally {
    registerProductThreads(undefined);
    await pool.close();
  }
}

/** The rows whose step is products and convolutions: their multiply-adds per step, traced once (undefined for the others). */
async function stepMultiplyAdds(w: Workload): Promise<number | undefined> {
  const problem =
    w.kind === 'cnn-adam' ? cnnProblem(w.batch, w.batchNorm)
      : w.kind === 'example-adam' ? await exampleProblem(w.file, w.objective, w.batch)
        : w.kind === 'mlp-adam' ? mlpProblem(w.samples, w.features, w.hidden, w.batch)
          : undefined;
  if (problem === undefined) return undefined;
  try {
    return multiplyAddsPerStep(problem.batchLoss, problem.x0, problem.batchInputs(0));
  } finally {
    // An example's problem holds host arrays only.
    if ('dispose' in problem) problem.dispose();
  }
}

async function runWorkload(w: Workload): Promise<SideResult> {
  switch (w.kind) {
    case 'adam-rosenbrock': {
      const f = rosenbrock(w.n).f;
      if (compiling()) {
        const start = Float32Array.from(rosenbrockStart(w.n));
        return timed(w, () => trainCompiled((x) => f(x), () => [], start, createOptimizer('adam', {}).arrays as ArrayOptimizer, w.lr, w.steps));
      }
      const evaluate = evaluatorOf(f);
      const x0 = tf.tensor1d(rosenbrockStart(w.n));
      const out = await timed(w, () => train((x) => evaluate(x), x0, () => createOptimizer('adam', {}), w.lr, w.steps));
      x0.dispose();
      return out;
    }
    case 'sgd-quadratic':
    case 'lbfgs-quadratic': {
      const fn = illConditionedQuadratic(w.n, w.kappa);
      const create = () =>
        w.kind === 'sgd-quadratic' ? createOptimizer('sgd', { momentum: w.momentum }) : createOptimizer('lbfgs', { history_size: w.history });
      if (compiling()) {
        const start = Float32Array.from(fn.x0);
        return timed(w, () => trainCompiled((x) => fn.f(x), () => [], start, create().arrays as ArrayOptimizer, w.lr, w.steps));
      }
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
      if (compiling()) {
        const out = await timed(w, () => trainCompiled(problem.batchLoss, problem.batchInputs, problem.x0, createOptimizer('adam', {}).arrays as ArrayOptimizer, w.lr, w.steps));
        problem.dispose();
        return out;
      }
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
    case 'cnn-adam': {
      const problem = cnnProblem(w.batch, w.batchNorm);
      const adam = () => createOptimizer('adam', {});
      if (compiling()) {
        try {
          return await timed(w, () => trainCompiled(problem.batchLoss, problem.batchInputs, problem.x0, adam().arrays as ArrayOptimizer, w.lr, w.steps));
        } catch (e) {
          // As the runner does: an objective that does not compile runs on tensors.
          if (!(e instanceof NotCompilable)) throw e;
          releaseAbandonedTape(tf);
          console.log(`  ${w.id}: not compiled (${e.message}); on tensors`);
        }
      }
      const x0 = tf.tensor1d(problem.x0);
      const out = await timed(w, () => train((x, step) => evaluatorOf(problem.objective(step))(x), x0, adam, w.lr, w.steps));
      x0.dispose();
      return out;
    }
    case 'example-adam': {
      const problem = await exampleProblem(w.file, w.objective, w.batch);
      const adam = () => createOptimizer('adam', {});
      if (compiling()) {
        try {
          return await timed(w, () => trainCompiled(problem.batchLoss, problem.batchInputs, problem.x0, adam().arrays as ArrayOptimizer, w.lr, w.steps));
        } catch (e) {
          // As the runner does: an objective that does not compile (or that it keeps on tensors) runs on tensors.
          if (!(e instanceof NotCompilable || e instanceof KeptOnTensors)) throw e;
          releaseAbandonedTape(tf);
          console.log(`  ${w.id}: not compiled (${e.message}); on tensors`);
        }
      }
      const x0 = tf.tensor1d(problem.x0);
      const out = await timed(w, () => train((x, step) => evaluatorOf(problem.objective(step))(x), x0, adam, w.lr, w.steps));
      x0.dispose();
      return out;
    }
    case 'hvp': {
      const f = rosenbrock(w.n).f;
      const x = tf.tensor1d(rosenbrockStart(w.n));
      if (compiling()) {
        // Compiled once per run in the runner (curvatureSampler), so its cost is not in the timing.
        const hessian = compileHessian(f, x);
        const xs = Float32Array.from(rosenbrockStart(w.n));
        const ones = new Float32Array(w.n).fill(1);
        const hv = new Float32Array(w.n);
        x.dispose();
        return timed(w, async () => {
          for (let k = 0; k < w.steps; k++) hessian.apply(xs, ones, hv);
          const norm = Math.sqrt(hv.reduce((acc, h) => acc + h * h, 0));
          return { check: [norm], initial: [norm], path: pathOf(hessian.wasmLoops) };
        });
      }
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
      const options = { maxIterations: w.iterations, tol: 0 };
      // Compiled once per run in the runner (curvatureSampler), so its cost is not in the timing.
      const hessian = compiling() ? compileHessian(f, x) : undefined;
      const xs = Float32Array.from(rosenbrockStart(w.n));
      const out = await timed(w, async () => {
        // As estimateCurvature does per sample: the operator at x, then Lanczos.
        const r = lanczos(hessian ? hessian.arraysAt(xs) : onArrays(hessianOperator(f, x)), w.n, options);
        return { check: [r.lambdaMax], initial: [r.lambdaMax], ...(hessian ? { path: pathOf(hessian.wasmLoops) } : {}) };
      });
      x.dispose();
      return out;
    }
    case 'sweep':
      return timed(w, () => sweepRosenbrock(w.n, w.lrs, w.steps));
    case 'rule-rosenbrock': {
      // Loaded as the runner loads a user's rule file: bundled by esbuild, tfjs imports answered with ours.
      const optimizer = await ruleFromFile(w.rule, w.n);
      const f = rosenbrock(w.n).f;
      const start = Float32Array.from(rosenbrockStart(w.n));
      if (compiling() && optimizer.arrays) return timed(w, () => trainCompiled((x) => f(x), () => [], start, optimizer.arrays as ArrayOptimizer, w.lr, w.steps));
      const evaluate = evaluatorOf(f);
      const x0 = tf.tensor1d(rosenbrockStart(w.n));
      const out = await timed(w, async () => train((x) => evaluate(x), x0, async () => ruleFromFile(w.rule, w.n), w.lr, w.steps));
      x0.dispose();
      return out;
    }
  }
}
