/**
 * The plain-JS training loop's own overhead (src/core/arrays/minimizeArrays.ts):
 * `npx tsx bench/arrayLoop.ts`. 2-D Rosenbrock with a hand-written gradient and
 * plain gradient descent, so nearly all the time is the loop's bookkeeping.
 * Prints steps/s of a bare for-loop doing the same arithmetic (the floor),
 * then of minimizeArrays without hooks and with the usual ones.
 */
import type { ArrayObjective, ArrayOptimizer } from '../src/core/arrays/contracts';
import { minimizeArrays, type MinimizeArraysOptions } from '../src/core/arrays/minimizeArrays';
import { constantSchedule } from '../src/core/schedule';

const STEPS = 2_000_000;
const LR = 5e-4;
const X0 = Float32Array.from([-1.5, 2]);

const rosenbrock: ArrayObjective = {
  size: 2,
  valueAndGrad: (x, _step, g) => {
    const [a, b] = [x[0], x[1]];
    const r = b - a * a;
    g[0] = -400 * a * r - 2 * (1 - a);
    g[1] = 200 * r;
    return 100 * r * r + (1 - a) * (1 - a);
  },
};

const gd: ArrayOptimizer = {
  init: () => undefined,
  update: ({ params, paramsOut, grad, lr }) => {
    let updateNormSq = 0;
    for (let i = 0; i < params.length; i++) {
      paramsOut[i] = params[i] - lr * grad[i];
      const d = paramsOut[i] - params[i];
      updateNormSq += d * d;
    }
    return { updateNormSq, extraEvals: 0 };
  },
};

/** The same steps with nothing around them: evaluation, ‖g‖², update (one reused input), swap. */
function bareLoop(): number {
  const grad = new Float32Array(2);
  const input = {
    params: Float32Array.from(X0), paramsOut: new Float32Array(2), grad, loss: 0, lr: LR, step: 0,
    evaluate: (y: Float32Array, g: Float32Array) => rosenbrock.valueAndGrad(y, input.step, g),
  };
  for (let step = 0; step < STEPS; step++) {
    const x = input.params;
    input.loss = rosenbrock.valueAndGrad(x, step, grad);
    let gg = 0;
    for (let i = 0; i < 2; i++) gg += grad[i] * grad[i];
    if (!Number.isFinite(input.loss) || !Number.isFinite(gg)) break;
    input.step = step;
    gd.update(input, undefined);
    input.params = input.paramsOut;
    input.paramsOut = x;
  }
  return input.loss;
}

type Hooks = Partial<MinimizeArraysOptions>;
const VARIANTS: Record<string, () => Hooks> = {
  'no hooks': () => ({}),
  'isCancelled + lrScale': () => ({ isCancelled: () => false, lrScale: () => 1 }),
  'onMetrics (a record per step)': () => ({ onMetrics: () => undefined }),
  'afterStep (sync, every step)': () => ({ afterStep: () => undefined }),
  'afterStep (async, due every 1000 steps)': () => ({ afterStep: async () => undefined, afterStepDue: (k) => k % 1000 === 999 }),
};

async function rate(run: () => Promise<unknown> | unknown, repeats = 7): Promise<number> {
  await run();
  const rates: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    await run();
    rates.push(STEPS / ((performance.now() - start) / 1000));
  }
  rates.sort((a, b) => a - b);
  return rates[rates.length >> 1];
}

async function main(): Promise<void> {
  const fmt = (r: number) => `${(r / 1e6).toFixed(2)}M steps/s`;
  console.log(`2-D Rosenbrock, plain GD lr ${LR}, ${STEPS} steps per run (median of 7 runs)`);
  console.log(`  bare for-loop: ${fmt(await rate(bareLoop))}`);
  for (const [name, hooks] of Object.entries(VARIANTS)) {
    const run = () => minimizeArrays({ objective: rosenbrock, x0: X0, optimizer: gd, schedule: constantSchedule(LR), steps: STEPS, ...hooks() });
    const last = await run();
    console.log(`  minimizeArrays, ${name}: ${fmt(await rate(run))} (final loss ${last.final.loss.toExponential(3)}, ${last.status})`);
  }
}

void main();
