import type { ArrayOptimizer, ArrayStepInput, ArrayStepResult } from './contracts';

/**
 * Every tensor op stores float32, so each intermediate the tensor rule materialises is rounded here (and
 * each JS scalar it passes becomes float32 first). Local, not imported: an imported function is a getter
 * call per use under the CommonJS transform tests and benches run with, several times slower in this loop.
 */
const f32 = Math.fround;

export interface AdamaxArraysOptions {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
}

export interface AdamaxArraysState {
  /** Updates done (torch's state['step']). */
  t: number;
  /** torch's exp_avg and exp_inf. */
  readonly expAvg: Float32Array;
  readonly expInf: Float32Array;
}

/** torch.optim.Adamax on Float32Arrays, rounded like the tensor rule in ../optimizers/adamax.ts. */
export function adamaxArrays(o: AdamaxArraysOptions): ArrayOptimizer<AdamaxArraysState> {
  return {
    init: (params) => ({ t: 0, expAvg: new Float32Array(params.length), expInf: new Float32Array(params.length) }),
    update: (input, s) => update(o, input, s),
  };
}

function update(o: AdamaxArraysOptions, { params, grad, paramsOut, lr }: ArrayStepInput, s: AdamaxArraysState): ArrayStepResult {
  const t = ++s.t;
  const { expAvg, expInf } = s;
  const l2 = o.weightDecay !== 0;
  const wd = f32(o.weightDecay);
  const b1 = f32(o.beta1);
  const oneMinusB1 = f32(1 - o.beta1);
  const b2 = f32(o.beta2);
  const eps = f32(o.eps);
  // divideSafely's rule: with eps 0 in float32, a zero denominator gives a zero step (torch: NaN or Inf).
  const epsPositive = eps > 0;
  const negClr = f32(-(lr / (1 - o.beta1 ** t)));
  let updateNormSq = 0;
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    const g = l2 ? f32(grad[i] + f32(p * wd)) : grad[i];
    const m = f32(f32(expAvg[i] * b1) + f32(g * oneMinusB1));
    const u = Math.max(f32(expInf[i] * b2), f32(Math.abs(g) + eps));
    expAvg[i] = m;
    expInf[i] = u;
    const out = f32(p + (epsPositive || u !== 0 ? f32(f32(m * negClr) / u) : 0));
    paramsOut[i] = out;
    const change = out - p;
    updateNormSq += change * change;
  }
  return { updateNormSq, extraEvals: 0 };
}
