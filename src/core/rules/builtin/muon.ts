import * as tf from '@tensorflow/tfjs';
import type { OptimizerRule, RuleState, RuleUpdate } from '../optimizerRule';
import { betasInUnitInterval, nonNegative } from './checks';
import { divideSafely, lerp } from './torchOps';

type Hp = {
  lr: number;
  momentum: number;
  nesterov: boolean;
  ns_steps: number;
  weight_decay: number;
  adamw_lr: number;
  adamw_betas: number[];
  adamw_eps: number;
  adamw_weight_decay: number;
};
/** Matrices keep Muon's momentum buffer; every other shape the AdamW fallback's two moments. */
type State = RuleState & { momentum_buffer?: tf.Tensor; exp_avg?: tf.Tensor; exp_avg_sq?: tf.Tensor };

/** The reference's quintic Newton–Schulz coefficients (a, b, c), chosen to maximise the slope at zero. */
export const NS_COEFFICIENTS = [3.4445, -4.775, 2.0315] as const;

/**
 * The reference's zeropower_via_newtonschulz5, in float32 (the reference casts to bfloat16): the wide
 * orientation (transposed when rows > cols), X ← X/(‖X‖_F + 1e-7), then `steps` times
 * A = XXᵀ, B = bA + (cA)A, X ← aX + BX. Its singular values end near 1 (in about [0.7, 1.2]), not exactly 1.
 */
export function newtonSchulz5(g: tf.Tensor2D, steps: number): tf.Tensor2D {
  const [a, b, c] = NS_COEFFICIENTS;
  const tall = g.shape[0] > g.shape[1];
  let x: tf.Tensor2D = tall ? g.transpose() : g;
  x = x.div(x.norm().add(1e-7));
  for (let k = 0; k < steps; k++) {
    const gram = x.matMul(x, false, true);
    const poly = gram.mul(b).add(gram.mul(c).matMul(gram));
    x = x.mul(a).add(poly.matMul(x));
  }
  return tall ? x.transpose() : x;
}

/** Muon on a matrix: momentum, Newton–Schulz orthogonalisation, the shape scale, decoupled decay. */
function muonStep(grad: tf.Tensor, state: State, param: tf.Tensor, hp: Hp): RuleUpdate<State> {
  const buffer = lerp(state.momentum_buffer as tf.Tensor, grad, 1 - hp.momentum);
  const direction = hp.nesterov ? lerp(grad, buffer, hp.momentum) : buffer;
  const [rows, cols] = param.shape;
  const orthogonal = newtonSchulz5(direction as tf.Tensor2D, hp.ns_steps).mul(Math.sqrt(Math.max(1, rows / cols)));
  const decayed = param.mul(1 - hp.lr * hp.weight_decay);
  return { param: decayed.sub(orthogonal.mul(hp.lr)), state: { momentum_buffer: buffer } };
}

/** The reference's adam_update for every other shape, with its own lr, betas, eps and decay. */
function adamwStep(grad: tf.Tensor, state: State, param: tf.Tensor, hp: Hp, t: number): RuleUpdate<State> {
  const [beta1, beta2] = hp.adamw_betas;
  const expAvg = lerp(state.exp_avg as tf.Tensor, grad, 1 - beta1);
  const expAvgSq = lerp(state.exp_avg_sq as tf.Tensor, grad.square(), 1 - beta2);
  const denom = expAvgSq.div(1 - beta2 ** t).sqrt().add(hp.adamw_eps);
  const step = divideSafely(expAvg.div(1 - beta1 ** t), denom, hp.adamw_eps);
  const decayed = param.mul(1 - hp.adamw_lr * hp.adamw_weight_decay);
  return { param: decayed.sub(step.mul(hp.adamw_lr)), state: { exp_avg: expAvg, exp_avg_sq: expAvgSq } };
}

/**
 * Muon, "MomentUm Orthogonalized by Newton-Schulz": Keller Jordan et al. 2024, "Muon: An optimizer for
 * hidden layers in neural networks" (kellerjordan.github.io/posts/muon), following the reference
 * implementation KellerJordan/Muon, muon.py (SingleDeviceMuonWithAuxAdam; read at commits 1430c34 and 00ba60d,
 * which agree on all of this; names and defaults are its own).
 *
 * 2-D parameters (W, rows × cols), with β = momentum:
 *   B ← lerp(B, G, 1 − β) = βB + (1 − β)G;   M = lerp(G, B, β) with nesterov, else M = B
 *   O = NS₅(M)·√max(1, rows/cols)            (quintic Newton–Schulz, (a, b, c) = (3.4445, −4.7750, 2.0315),
 *                                              ns_steps iterations on M/(‖M‖_F + 1e-7), in float32 here)
 *   W ← W·(1 − lr·λ) − lr·O
 * Every other shape (vectors, scalars, rank ≥ 3; the reference reshapes 4-D conv filters, we do not) takes the
 * reference's AdamW: m ← lerp(m, G, 1 − β₁), v ← lerp(v, G², 1 − β₂),
 *   θ ← θ·(1 − lr_a·λ_a) − lr_a·(m/(1 − β₁ᵗ)) / (√(v/(1 − β₂ᵗ)) + ε)
 * with lr_a = adamw_lr, a fixed number: the run's lr (and its schedule) drives the Muon matrices only, as the
 * reference's separate param groups do. An objective that is one flat vector is therefore all AdamW. The AdamW
 * defaults are the reference's (lr 3e-4, betas (0.9, 0.95), eps 1e-10).
 *
 * Compiles on the cpu backend; on wasm TensorFlow.js's matMul rounds differently from the compiled one, and
 * many matrix shapes (tall ones, larger ones) then fail the compile check and run on tensors (the run says so).
 */
export const muon: OptimizerRule<State, Hp> = {
  reference: 'Jordan et al. 2024, Muon: An optimizer for hidden layers in neural networks (github.com/KellerJordan/Muon)',
  family: 'orthogonalised',
  summary: 'Muon: momentum orthogonalised by Newton–Schulz for matrices; AdamW (own lr) for other shapes',
  defaults: {
    lr: 0.02,
    momentum: 0.95,
    nesterov: true,
    ns_steps: 5,
    weight_decay: 0,
    adamw_lr: 3e-4,
    adamw_betas: [0.9, 0.95],
    adamw_eps: 1e-10,
    adamw_weight_decay: 0,
  },
  docs: {
    momentum: 'β of the momentum buffer of matrix parameters',
    nesterov: 'orthogonalise the Nesterov look-ahead lerp(G, B, β) instead of the buffer B',
    ns_steps: 'Newton–Schulz iterations (the reference uses 5)',
    weight_decay: 'decoupled weight decay of matrix parameters: W·(1 − lr·weight_decay)',
    adamw_lr: 'learning rate of the AdamW fallback for non-matrix parameters (fixed: not scaled by the run\'s lr or schedule)',
    adamw_betas: 'AdamW fallback: decay rates of the running averages of the gradient and of its square',
    adamw_eps: 'AdamW fallback: term added to the denominator',
    adamw_weight_decay: 'AdamW fallback: decoupled weight decay θ·(1 − adamw_lr·adamw_weight_decay)',
  },
  checks: {
    momentum: (v) => (v >= 0 && v < 1 ? undefined : `must be in [0, 1), got ${String(v)}`),
    ns_steps: (v) => (Number.isInteger(v) && v >= 0 ? undefined : `must be a whole number >= 0, got ${String(v)}`),
    weight_decay: nonNegative,
    adamw_lr: nonNegative,
    adamw_betas: betasInUnitInterval,
    adamw_eps: nonNegative,
    adamw_weight_decay: nonNegative,
  },
  init: (param): State => (param.rank === 2 ? { momentum_buffer: tf.zerosLike(param) } : { exp_avg: tf.zerosLike(param), exp_avg_sq: tf.zerosLike(param) }),
  update: (grad, state, param, hp, ctx) => (param.rank === 2 ? muonStep(grad, state, param, hp) : adamwStep(grad, state, param, hp, ctx.step)),
};
