import * as tf from '@tensorflow/tfjs';
// In your workspace: import type { OptimizerRule } from 'optimizer-lab';
// (the repository's examples type-check against that contract's source)
import type { OptimizerRule } from '../src/core/rules/optimizerRule';

/**
 * Lion ("EvoLved Sign Momentum") as an optimizer rule, from Chen et al. 2023,
 * "Symbolic Discovery of Optimization Algorithms" (arXiv:2302.06675), found by
 * a program search. Every coordinate moves by lr per step (plus the decay): the
 * update is the sign of an interpolation c of momentum and gradient, so its size does
 * not depend on the gradient's scale (use a 3-10x smaller lr than AdamW). The
 * momentum m decays more slowly (β2) than the interpolation uses it (β1).
 *
 * This file has no objective; run the rule on one:
 *   optlab run examples/rosenbrock.ts --optimizer examples/lion.ts --lr 0.01 --steps 500
 *   optlab run examples/rosenbrock.ts --optimizer examples/lion.ts#lion --lr 0.001 --steps 500
 *   optlab list examples/lion.ts
 *
 * Measured: lr 0.01 ends at loss 0.031 after 500 steps, at (1.06, 1.14) (Adam
 * at lr 0.05: 0.153); lr 0.001 moves each coordinate at most 0.5 in 500 steps
 * and ends at 3.85. Lion cannot settle exactly on a minimum: its steps stay lr
 * long in every coordinate, so lower lr (a schedule) to finish.
 *
 * The built-in `--optimizer lion` (src/core/rules/builtin/lion.ts) is the same algorithm
 * with the authors' names (betas = [β1, β2]) and its sign taken from comparisons: tf.sign
 * on the wasm backend rounds values below about 1e-6 to 0, so there (run on tensors) a
 * tiny c gives no step with this file's rule.
 */
export const lion: OptimizerRule<{ m: tf.Tensor }, { lr: number; beta1: number; beta2: number; weight_decay: number }> = {
  summary: 'Lion (Chen et al. 2023): sign of interpolated momentum, decoupled weight decay',
  defaults: { lr: 1e-4, beta1: 0.9, beta2: 0.99, weight_decay: 0 },
  init: (param) => ({ m: tf.zerosLike(param) }),
  update: (grad, state, param, hp) => {
    // The direction: an interpolation of momentum and the new gradient; only its sign is used.
    const c = state.m.mul(hp.beta1).add(grad.mul(1 - hp.beta1));
    // Decoupled weight decay (as AdamW), then a step of exactly lr per coordinate.
    const next = param.mul(1 - hp.lr * hp.weight_decay).sub(c.sign().mul(hp.lr));
    // The momentum itself is tracked with the slower β2.
    return { param: next, state: { m: state.m.mul(hp.beta2).add(grad.mul(1 - hp.beta2)) } };
  },
};
