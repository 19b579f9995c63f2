import * as tf from '@tensorflow/tfjs';
import type { OptimizerRule, RuleState } from '../optimizerRule';
import { nonNegative } from './checks';

type Hp = { lr: number; beta2_decay: number; eps: number[]; d: number; weight_decay: number; maximize: boolean };
/** Matrices (and higher) keep a row and a column factor of the second moment; vectors and scalars the full one. */
type State = RuleState & { row_var?: tf.Tensor; col_var?: tf.Tensor; variance?: tf.Tensor };

/** torch's eps1 = None: torch.finfo(param.dtype).eps, and our parameters are float32. */
export const FLOAT32_EPS = 2 ** -23;

/** torch's `x.norm(2) / numel ** 0.5`, kept a tensor (torch reads it back with .item(); a step here never does). */
const rms = (x: tf.Tensor): tf.Tensor => x.norm().div(Math.sqrt(x.size));

/**
 * The mean of g² along one axis, as a sum divided by the count (torch's mean and its
 * `g.norm(dim=axis, keepdim=True).square_().div_(n)` both divide the sum; tf.mean divides each term first).
 * Not the norm squared: compiled, the norm along an axis disagreed with TensorFlow.js's by 7.6e-6 on a 5×3
 * matrix, so the rule did not compile there.
 */
const meanAlong = (x: tf.Tensor, axis: number): tf.Tensor => x.sum(axis, true).div(x.shape[axis]);

/**
 * torch's `a.lerp_(b, w)` as a + w·(b − a) at every step. torch's kernel switches to b − (b − a)·(1 − w) while
 * w ≥ 0.5 (here the first two steps): the same number up to rounding, and one form keeps one compiled path for
 * the whole run (a path switch retraces mid-run, and that trace's check against TensorFlow.js can fail on the
 * run's own values, which stopped mlpRegression at step 3). At w = 1 from zeros both give b exactly.
 */
const lerpOneForm = (a: tf.Tensor, b: tf.Tensor, w: number): tf.Tensor => a.add(b.sub(a).mul(w));

/**
 * The second-moment estimate V̂ of the step and the new state. Matrices (rank ≥ 2, the last two axes factored):
 * R ← lerp(R, mean_cols(G²), w), C ← lerp(C, mean_rows(G²), w), V̂ = R·C / max(mean_rows(R), ε₁)
 * (torch's R @ C is an outer product: one term per entry, the same number as the broadcast product).
 * Vectors: V ← lerp(V, G², w), V̂ = V.
 */
function secondMoment(g: tf.Tensor, state: State, weight: number, eps1: number): { estimate: tf.Tensor; state: State } {
  if (g.rank > 1) {
    const rowVar = lerpOneForm(state.row_var as tf.Tensor, meanAlong(g.square(), g.rank - 1), weight);
    const colVar = lerpOneForm(state.col_var as tf.Tensor, meanAlong(g.square(), g.rank - 2), weight);
    const estimate = rowVar.mul(colVar).div(meanAlong(rowVar, g.rank - 2).maximum(eps1));
    return { estimate, state: { row_var: rowVar, col_var: colVar } };
  }
  const variance = lerpOneForm(state.variance as tf.Tensor, g.mul(g), weight);
  return { estimate: variance, state: { variance } };
}

/**
 * torch.optim.Adafactor as in torch 2.5 (`_single_tensor_adafactor`; Debian's torch 1.13 has no Adafactor),
 * after Shazeer & Stern 2018, "Adafactor: Adaptive Learning Rates with Sublinear Memory Cost", arXiv:1804.04235.
 * Names and defaults are torch's. torch has no relative_step switch (as Keras and the paper's code do): lr is
 * used as given, capped at 1/√t, and scaled by max(ε₂, RMS(θ)). At step t:
 *
 *   w = t^τ (τ = beta2_decay; w = 1 − β̂₂ₜ),  ρ_t = min(lr, 1/√t),  α_t = max(ε₂, RMS(θ_{t−1}))·ρ_t
 *   θ ← θ·(1 − lr·λ)                                   (decoupled weight decay, skipped when λ = 0)
 *   V̂ from the factored (matrices) or full (vectors) second moment, see `secondMoment`
 *   U = G / √max(V̂, ε₁²),  Û = U / max(1, RMS(U)/d),  θ ← θ − α_t·Û
 *
 * G is −∇ with maximize. eps = [ε₁, ε₂]: torch's ε₁ = None means the parameter dtype's machine epsilon,
 * which for our float32 parameters is 2⁻²³ (the default here); ε₁ = 0 gives NaN where a gradient row (or,
 * for vectors, entry) is all zero (rsqrt(0)·0), as torch does. α_t and the clipping divisor are tensors, never read back.
 */
export const adafactor: OptimizerRule<State, Hp> = {
  reference: 'torch.optim.Adafactor (torch 2.5)',
  family: 'adaptive',
  summary: 'Adafactor: factored second moments for matrices, relative step sizes and update clipping',
  defaults: { lr: 1e-2, beta2_decay: -0.8, eps: [FLOAT32_EPS, 1e-3], d: 1, weight_decay: 0, maximize: false },
  docs: {
    beta2_decay: 'τ: the second moment averages with weight t^τ at step t (β̂₂ = 1 − t^τ)',
    eps: '[ε₁, ε₂]: ε₁ floors the second moment (torch\'s None = float32 eps 2^-23, the default); ε₂ floors RMS(θ) in the step size',
    d: 'clipping threshold: the update is scaled down when its RMS exceeds d',
    weight_decay: 'decoupled weight decay: θ·(1 − lr·weight_decay) each step',
    maximize: 'maximise the objective instead (the gradient is negated)',
  },
  checks: {
    beta2_decay: (v) => (v <= 0 ? undefined : `must be <= 0, got ${String(v)}`),
    eps: (v) => (v.length === 2 && v.every((e) => e >= 0) ? undefined : `must be two numbers >= 0 [eps1, eps2], got ${JSON.stringify(v)}`),
    d: (v) => (v >= 1 ? undefined : `must be >= 1, got ${String(v)}`),
    weight_decay: nonNegative,
  },
  init(param): State {
    if (param.rank < 2) return { variance: tf.zerosLike(param) };
    const rowShape = [...param.shape];
    rowShape[param.rank - 1] = 1;
    const colShape = [...param.shape];
    colShape[param.rank - 2] = 1;
    return { row_var: tf.zeros(rowShape), col_var: tf.zeros(colShape) };
  },
  update(grad, state, param, hp, ctx) {
    const [eps1, eps2] = hp.eps;
    const t = ctx.step;
    const g = hp.maximize ? grad.neg() : grad;
    const rho = Math.min(hp.lr, 1 / Math.sqrt(t));
    // α from θ before the decay, as torch orders it.
    const alpha = rms(param).maximum(eps2).mul(rho);
    const theta = hp.weight_decay !== 0 ? param.mul(1 - hp.lr * hp.weight_decay) : param;
    const moment = secondMoment(g, state, t ** hp.beta2_decay, eps1);
    const u = moment.estimate.maximum(eps1 * eps1).rsqrt().mul(g);
    const clip = rms(u).div(hp.d).maximum(1);
    return { param: theta.sub(u.mul(alpha.div(clip))), state: moment.state };
  },
};
