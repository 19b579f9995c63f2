/** The file "New optimizer file" creates: a commented Lion rule, type-checked and runnable as is. */
export function optimizerTemplate(name = 'lion'): string {
  return `import * as tf from '@tensorflow/tfjs';
import type { OptimizerRule } from 'optimizer-lab';

/**
 * An optimizer rule: Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms").
 * Every exported object with \`defaults\`, \`init\` and \`update\` is a rule. Click "▶ Try on …"
 * above it to run it on an objective, "Compare with adam" to see both side by side, or pick it
 * in the dashboard's optimizer menu. In live mode, editing this file re-runs the runs that use it.
 *
 * The two type arguments are the state of one parameter tensor and the hyperparameters.
 */
export const ${name}: OptimizerRule<{ m: tf.Tensor }, { lr: number; beta1: number; beta2: number; weight_decay: number }> = {
  /** One line for the dashboard's menu. */
  summary: 'Lion: the sign of an interpolated momentum, with decoupled weight decay',

  /**
   * Every hyperparameter with its default, lr included. The dashboard's lr slider and the CLI's
   * --lr / --hp name=value override them by name; \`hp.lr\` is this step's learning rate, after the
   * schedule (a cosine schedule changes it every step).
   */
  defaults: { lr: 1e-4, beta1: 0.9, beta2: 0.99, weight_decay: 0 },

  /**
   * The state of one parameter tensor, made once before the first step. \`update\` runs once per
   * parameter tensor with that tensor's own shape: an objective with a record of named parameters
   * ({ w: [2, 8], b: [8] }) gets a matrix state for w and a vector state for b.
   */
  init: (param) => ({ m: tf.zerosLike(param) }),

  /**
   * The next parameter and state from the gradient. \`ctx.step\` is the 1-based count of updates
   * (bias corrections: Math.pow(hp.beta1, ctx.step)), \`ctx.name\` the parameter's name.
   * Return new tensors; never dispose what you were given (the runner cleans up).
   *
   * Written like this, with elementwise tf ops and plain arithmetic on hp and ctx.step, the rule
   * is compiled to fused JS/WebAssembly loops; the numbers computed from hp and ctx.step are
   * recomputed every step. A rule that cannot be compiled (a matrix product, a norm over the
   * tensor) runs on TensorFlow.js ops, and the run says why.
   */
  update: (grad, state, param, hp) => {
    const interpolated = state.m.mul(hp.beta1).add(grad.mul(1 - hp.beta1));
    const next = param.mul(1 - hp.lr * hp.weight_decay).sub(interpolated.sign().mul(hp.lr));
    return { param: next, state: { m: state.m.mul(hp.beta2).add(grad.mul(1 - hp.beta2)) } };
  },
};
// Also: scope: 'model' runs update once per step on all parameters as one flat vector, with
// ctx.closures (loss, evaluate(params), hvp(v)) for line searches, SAM or Newton-like rules.
`;
}
