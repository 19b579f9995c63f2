import * as tf from '@tensorflow/tfjs';
import type { OptimizerRule } from '../optimizerRule';
import { betasInUnitInterval, nonNegative } from './checks';
import { ema } from './torchOps';

type Hp = { lr: number; betas: number[]; rho: number; weight_decay: number; k: number; eps: number; seed: number };
type State = { exp_avg: tf.Tensor; hessian: tf.Tensor };

/** murmur3's 32-bit finaliser: every input bit reaches every output bit. */
function fmix32(h: number): number {
  let x = h;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * The Rademacher vector (entries ±1) of update `step` (1-based) for `seed`: entry i is −1 when the top
 * bit of fmix32(i·0x9E3779B1 ⊕ step·0x85EBCA77 ⊕ seed·0xC2B2AE3D) (32-bit products) is set, else +1.
 * A plain integer hash rather than a random generator, so that two runs (and the Python reference in
 * test/fixtures/reference/sophia.py, which computes the same hash) draw the same vectors.
 */
export function rademacher(n: number, step: number, seed: number): Float32Array {
  const u = new Float32Array(n);
  const key = Math.imul(step, 0x85ebca77) ^ Math.imul(seed, 0xc2b2ae3d);
  for (let i = 0; i < n; i++) u[i] = fmix32(Math.imul(i, 0x9e3779b1) ^ key) >>> 31 ? -1 : 1;
  return u;
}

const isIntegerAtLeast = (min: number) => (v: number) => (Number.isInteger(v) && v >= min ? undefined : `must be an integer >= ${min}, got ${String(v)}`);

/**
 * Sophia-H (Liu et al. 2023, "Sophia: A Scalable Stochastic Second-order Optimizer for Language Model
 * Pre-training", arXiv:2305.14342): the paper's Algorithm with the Hutchinson estimator of the Hessian's
 * diagonal. Hyperparameter names and defaults are the authors' reference (Liuhong99/Sophia, `SophiaG`:
 * lr 1e-4, betas (0.965, 0.99), rho 0.04, weight_decay 0.1, ε 1e-15; k = 10 from its training
 * configuration). With t = ctx.step (1-based):
 *
 *   m ← β₁m + (1 − β₁)g
 *   every k steps ((t − 1) mod k = 0, so the first step has an estimate): u Rademacher,
 *     ĥ = u ⊙ (H u)  (one Hessian-vector product at θ),   h ← β₂h + (1 − β₂)ĥ
 *   θ ← θ·(1 − lr·λ)                                       (decoupled weight decay)
 *   θ ← θ − lr · clip(m / max(ρ·h, ε), 1)                  (clip to [−1, 1] per coordinate)
 *
 * The clip follows the paper's max(ρh, ε): Hutchinson's ĥ can be negative, and there the step is
 * lr·sign(m). The reference's SophiaG writes |m|/(ρ·bs·h + ε) with h ≥ 0 from its Gauss-Newton-Bartlett
 * estimator, whose ĥ = B·ĝ⊙ĝ needs the batch size B: the Hutchinson estimate is already the loss's own
 * diagonal, so no batch-size factor here (bs = 1). The reference's older SophiaH class (relu(h), a bias
 * correction of m, another parametrisation of ρ) is not followed. No bias correction, as the paper.
 *
 * u is a function of (t, seed) only (see `rademacher`), so two runs give identical numbers. Model scope:
 * every parameter as one flat vector (the Hessian-vector product is of the whole objective); a step with
 * an estimate costs one Hessian-vector product more, counted as an evaluation in the run's records.
 */
export const sophia: OptimizerRule<State, Hp> = {
  scope: 'model',
  reference: 'Liu et al. 2023, Sophia: A Scalable Stochastic Second-order Optimizer for Language Model Pre-training, arXiv:2305.14342 (Sophia-H)',
  family: 'second-order diagonal',
  summary: 'Sophia-H: momentum over a Hutchinson estimate of the Hessian diagonal, clipped per coordinate',
  defaults: { lr: 1e-4, betas: [0.965, 0.99], rho: 0.04, weight_decay: 0.1, k: 10, eps: 1e-15, seed: 0 },
  docs: {
    betas: 'decay rates of the running averages of the gradient (β₁) and of the Hessian diagonal estimates (β₂)',
    rho: 'ρ: the step is lr·m/(ρh) where |m/(ρh)| < 1, else lr·sign(m) (larger ρ: smaller unclipped steps, fewer coordinates clipped)',
    weight_decay: 'decoupled weight decay λ: θ ← θ·(1 − lr·λ) every step (as AdamW)',
    k: 'estimate the Hessian diagonal every k steps (the first step always), one Hessian-vector product each',
    eps: 'ε: floor of ρ·h, so non-positive curvature estimates give a clipped (sign) step',
    seed: 'seed of the Rademacher vectors (with the step number), so runs repeat exactly',
  },
  checks: {
    betas: betasInUnitInterval,
    rho: (v) => (v > 0 ? undefined : `must be > 0, got ${String(v)}`),
    weight_decay: nonNegative,
    k: isIntegerAtLeast(1),
    eps: (v) => (v > 0 ? undefined : `must be > 0, got ${String(v)}`),
    seed: isIntegerAtLeast(0),
  },
  init: (param) => ({ exp_avg: tf.zerosLike(param), hessian: tf.zerosLike(param) }),
  update(grad, state, param, hp, ctx) {
    const [beta1, beta2] = hp.betas;
    let hessian = state.hessian;
    if ((ctx.step - 1) % hp.k === 0) {
      if (!ctx.closures) throw new Error('sophia needs Hessian-vector products (model scope closures)');
      const u = tf.tensor1d(rademacher(param.size, ctx.step, hp.seed));
      hessian = ema(hessian, beta2, u.mul(ctx.closures.hvp(u)));
    }
    const theta = hp.weight_decay !== 0 ? param.mul(1 - hp.lr * hp.weight_decay) : param;
    const expAvg = ema(state.exp_avg, beta1, grad);
    const ratio = expAvg.div(hessian.mul(hp.rho).maximum(hp.eps)).clipByValue(-1, 1);
    return { param: theta.sub(ratio.mul(hp.lr)), state: { exp_avg: expAvg, hessian } };
  },
  // The last step per coordinate as a fraction of lr (±1 where clipped), and where the clip bit.
  inspect: (state, hp) => {
    const ratio = state.exp_avg.div(state.hessian.mul(hp.rho).maximum(hp.eps)).clipByValue(-1, 1);
    return { step_fraction: ratio, clipped: ratio.abs().equal(1).cast('float32') };
  },
};
