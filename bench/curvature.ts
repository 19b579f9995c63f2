/**
 * Cost of curvature diagnostics (a benchmark, not a test): one HVP relative to
 * one gradient on a Rosenbrock chain, and the share of training time spent on
 * curvature when sampled every K steps with the default Lanczos settings, and
 * the share measured over a real training loop with the runner's 'auto' cadence
 * (step 0, the final point, and between while curvature stays within a tenth).
 *
 *   npx tsx bench/curvature.ts [--backend wasm|cpu] [--repeats 7] [--run-seconds 20]
 */
import * as tf from '@tensorflow/tfjs';
import { estimateCurvature } from '../src/core/curvature/estimateCurvature';
import { hessianVectorProduct } from '../src/core/curvature/hvp';
import type { FlatObjective } from '../src/core/curvature/hvp';
import { evaluatorOf } from '../src/core/evaluate';
import { createOptimizer } from '../src/core/optimizers/registry';
import { selectBackend } from '../src/runner/backend';
import { curvatureSampler } from '../src/runner/curvatureSampler';
import type { BackendId } from '../src/protocol/runner';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};

/** Σ 100(x_{i+1} − x_i²)² + (1 − x_i)². */
const rosenbrockChain: FlatObjective = (x) => {
  const n = x.size;
  const head = x.slice(0, n - 1);
  const tail = x.slice(1, n - 1);
  return tf.add(tf.mul(100, tf.sum(tf.square(tf.sub(tail, tf.square(head))))), tf.sum(tf.square(tf.sub(1, head)))) as tf.Scalar;
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median wall time of `fn` (which must read its result back, so the work is done). */
async function time(repeats: number, fn: () => Promise<void>): Promise<number> {
  await fn(); // warm-up: kernel compilation, allocations
  const samples: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

async function readAndDispose(t: tf.Tensor): Promise<void> {
  await t.data();
  t.dispose();
}

async function main(): Promise<void> {
  const backend = option('backend', 'wasm') as BackendId;
  const repeats = Number(option('repeats', '7'));
  const runSeconds = Number(option('run-seconds', '20'));
  await selectBackend(backend);
  console.log(`backend ${tf.getBackend()}, tfjs ${tf.version.tfjs}, medians of ${repeats} repeats`);
  const evaluate = evaluatorOf(rosenbrockChain);

  for (const n of [1e3, 1e5]) {
    const x = tf.randomUniform([n], -1.5, 1.5, 'float32', 1) as tf.Tensor1D;
    const v = tf.randomNormal([n], 0, 1, 'float32', 2) as tf.Tensor1D;
    const gradMs = await time(repeats * 3, async () => {
      const { loss, grad } = evaluate(x);
      loss.dispose();
      await readAndDispose(grad);
    });
    const hvpMs = await time(repeats * 3, () => readAndDispose(hessianVectorProduct(rosenbrockChain, x, v)));

    // One training step: loss + gradient + an Adam update, as the training loop runs it.
    const optimizer = createOptimizer('adam', {});
    let state = optimizer.init(x);
    let params = x.clone();
    const stepMs = await time(repeats * 3, async () => {
      const { loss, grad } = evaluate(params);
      const hvp = (at: tf.Tensor1D, dir: tf.Tensor1D) => hessianVectorProduct(rosenbrockChain, at, dir);
      const result = optimizer.update({ params, grad, loss, lr: 1e-3, step: 0, evaluate, hvp }, state);
      const done = result.params;
      loss.dispose();
      grad.dispose();
      params.dispose();
      state = result.state; // the update disposed what it did not reuse
      params = done;
      await readAndDispose(tf.tidy(() => tf.sum(params)));
    });
    optimizer.disposeState(state);
    params.dispose();

    let iterations = 0;
    const curvatureMs = await time(Math.max(3, Math.floor(repeats / 2)), async () => {
      const sample = await estimateCurvature(rosenbrockChain, x, { gradNorm: 1, lr: 1e-3, step: 0 });
      iterations = sample.iterations ?? 0;
    });
    console.log(`\nRosenbrock chain, n = ${n}`);
    console.log(`  gradient ${gradMs.toFixed(3)} ms, HVP ${hvpMs.toFixed(3)} ms: HVP = ${(hvpMs / gradMs).toFixed(2)}x a gradient`);
    console.log(`  training step (gradient + Adam) ${stepMs.toFixed(3)} ms`);
    console.log(`  one curvature sample (Lanczos, ${iterations} iterations + 2 HVPs) ${curvatureMs.toFixed(1)} ms = ${(curvatureMs / stepMs).toFixed(0)} steps`);
    for (const every of [100, 500, 1000, 5000]) {
      const share = curvatureMs / (every * stepMs + curvatureMs);
      console.log(`  every ${every} steps${every === 1000 ? ' (the former default)' : ''}: ${(100 * share).toFixed(1)}% of training time on curvature`);
    }
    const auto = await autoCadenceRun(x, runSeconds * 1000);
    console.log(
      `  auto cadence over a ${(auto.totalMs / 1000).toFixed(1)} s run (${auto.steps} steps): ${auto.samples} samples at steps ` +
        `${auto.sampleSteps.join(', ')}; ${(100 * auto.spentMs / auto.totalMs).toFixed(1)}% of the time on curvature`,
    );
    x.dispose();
    v.dispose();
  }
  console.log(`\ntensors left: ${tf.memory().numTensors}`);
}

/** Adam steps with the runner's curvature sampler ('auto') until `trainingMs` of training, then the final sample. */
async function autoCadenceRun(x0: tf.Tensor1D, trainingMs: number) {
  const evaluate = evaluatorOf(rosenbrockChain);
  const sampleSteps: number[] = [];
  const sampler = curvatureSampler({
    cadence: 'auto',
    f: rosenbrockChain,
    negated: false,
    evaluate,
    withFixedBatch: (body) => body(),
    seed: 0,
    emit: (s) => sampleSteps.push(s.step),
  });
  const optimizer = createOptimizer('adam', {});
  let state = optimizer.init(x0);
  let params = x0.clone();
  const start = performance.now();
  let step = 0;
  await sampler.maybeSample(0, params, 1e-3);
  while (performance.now() - start - sampler.spentMs < trainingMs) {
    const { loss, grad } = evaluate(params);
    const hvp = (at: tf.Tensor1D, dir: tf.Tensor1D) => hessianVectorProduct(rosenbrockChain, at, dir);
    const result = optimizer.update({ params, grad, loss, lr: 1e-3, step, evaluate, hvp }, state);
    loss.dispose();
    grad.dispose();
    params.dispose();
    state = result.state;
    params = result.params;
    step += 1;
    // The training loop reads metrics back every step or so; so does this one.
    await readAndDispose(tf.tidy(() => tf.sum(params)));
    await sampler.maybeSample(step, params, 1e-3);
  }
  await sampler.maybeSample(step, params, 1e-3, true);
  const totalMs = performance.now() - start;
  optimizer.disposeState(state);
  params.dispose();
  return { steps: step, samples: sampleSteps.length, sampleSteps, spentMs: sampler.spentMs, totalMs };
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
