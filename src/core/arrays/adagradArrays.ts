import type { ArrayOptimizer, ArrayStepInput, ArrayStepResult } from './contracts';

/**
 * Every tensor op stores float32, so each intermediate the tensor rule materialises is rounded here (and
 * each JS scalar it passes becomes float32 first). Local, not imported: an imported function is a getter
 * call per use under the CommonJS transform tests and benches run with, several times slower in this loop.
 */
const f32 = Math.fround;

export interface AdagradArraysOptions {
  readonly lrDecay: number;
  readonly weightDecay: number;
  readonly initialAccumulatorValue: number;
  readonly eps: number;
}

export interface AdagradArraysState {
  /** Updates done (torch's state['step']). */
  t: number;
  /** torch's sum of squared gradients. */
  readonly sum: Float32Array;
}

/** torch.optim.Adagrad on Float32Arrays, rounded like the tensor rule in ../optimizers/adagrad.ts. */
export function adagradArrays(o: AdagradArraysOptions): ArrayOptimizer<AdagradArraysState> {
  return {
    init: (params) => ({ t: 0, sum: new Float32Array(params.length).fill(o.initialAccumulatorValue) }),
    update: (input, s) => update(o, input, s),
  };
}

function update(o: AdagradArraysOptions, { params, grad, paramsOut, lr }: ArrayStepInput, s: AdagradArraysState): ArrayStepResult {
  const t = ++s.t;
  const sum = s.sum;
  const l2 = o.weightDecay !== 0;
  const wd = f32(o.weightDecay);
  const eps = f32(o.eps);
  // divideSafely's rule: with eps 0 in float32, a zero denominator gives a zero step (torch: NaN or Inf).
  const epsPositive = eps > 0;
  const negClr = f32(-(lr / (1 + (t - 1) * o.lrDecay)));
  let updateNormSq = 0;
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    const g = l2 ? f32(grad[i] + f32(p * wd)) : grad[i];
    const acc = f32(sum[i] + f32(g * g));
    sum[i] = acc;
    const std = f32(f32(Math.sqrt(acc)) + eps);
    const out = f32(p + (epsPositive || std !== 0 ? f32(f32(g * negClr) / std) : 0));
    paramsOut[i] = out;
    const change = out - p;
    updateNormSq += change * change;
  }
  return { updateNormSq, extraEvals: 0 };
}
