/**
 * The array L-BFGS (src/core/arrays/lbfgsArrays.ts) on the bench's 'lbfgs
 * quadratic n=100' workload, with the objective in plain JS as a compiled one
 * would be: `npx tsx bench/lbfgsArrays.ts`. Each step evaluates f and ∇f and
 * its squared gradient norm (the loop's metrics), like the other side of the
 * bench; the final loss is printed to check against `npm run bench`'s.
 */
import type { ArrayObjective } from '../src/core/arrays/contracts';
import { createOptimizer } from '../src/core/optimizers/registry';
import { illConditionedQuadratic } from '../src/core/testFunctions';
import { WORKLOADS } from './workloads';

/** f = ½ Σ d_i (Qx)_i², ∇f = Qᵀ(d ∘ Qx): the same two products as torch's forward and backward. */
function quadraticArrays(n: number, kappa: number): { objective: ArrayObjective; x0: readonly number[] } {
  const fn = illConditionedQuadratic(n, kappa);
  const q = Float32Array.from(fn.q.flat());
  const d = Float32Array.from(fn.d);
  const u = new Float32Array(n);
  const objective: ArrayObjective = {
    size: n,
    valueAndGrad: (x, _step, gradOut) => {
      let f = 0;
      for (let i = 0; i < n; i++) {
        let qx = 0;
        for (let j = 0; j < n; j++) qx += q[i * n + j] * x[j];
        u[i] = d[i] * qx;
        f += u[i] * qx;
      }
      gradOut.fill(0);
      for (let i = 0; i < n; i++) {
        const ui = u[i];
        for (let j = 0; j < n; j++) gradOut[j] += q[i * n + j] * ui;
      }
      return Math.fround(0.5 * f);
    },
  };
  return { objective, x0: fn.x0 };
}

function run(steps: number, lr: number, history: number, n: number, kappa: number): { loss: number; metricsSum: number } {
  const { objective, x0 } = quadraticArrays(n, kappa);
  const optimizer = createOptimizer('lbfgs', { history_size: history }).arrays;
  if (!optimizer) throw new Error('lbfgs has no array form');
  let x = Float32Array.from(x0);
  let next = new Float32Array(n);
  const grad = new Float32Array(n);
  const state = optimizer.init(x);
  // The loop's per-step metrics (loss, ‖g‖²), summed so that computing them is not dead code.
  let metricsSum = 0;
  for (let step = 0; step < steps; step++) {
    const loss = objective.valueAndGrad(x, step, grad);
    let gg = 0;
    for (let i = 0; i < n; i++) gg += grad[i] * grad[i];
    metricsSum += loss + gg;
    optimizer.update({ params: x, paramsOut: next, grad, loss, lr, step, evaluate: (y, g) => objective.valueAndGrad(y, step, g) }, state);
    [x, next] = [next, x];
  }
  return { loss: objective.valueAndGrad(x, steps, grad), metricsSum };
}

const w = WORKLOADS.find((v) => v.id === 'lbfgs quadratic n=100');
if (!w || w.kind !== 'lbfgs-quadratic') throw new Error("workload 'lbfgs quadratic n=100' not found");
run(w.steps, w.lr, w.history, w.n, w.kappa);
const rates: number[] = [];
let final = NaN;
for (let r = 0; r < 50; r++) {
  const start = performance.now();
  final = run(w.steps, w.lr, w.history, w.n, w.kappa).loss;
  rates.push(w.steps / ((performance.now() - start) / 1000));
}
rates.sort((a, b) => a - b);
console.log(
  `${w.id}: array L-BFGS ${Math.round(rates[rates.length >> 1])} steps/s (median of ${rates.length} runs of ${w.steps} steps; ` +
    `min ${Math.round(rates[0])}, max ${Math.round(rates[rates.length - 1])}); final loss ${final}`,
);
