import type { ArrayOptimizer, ArrayStepInput, ArrayStepResult } from './contracts';

/**
 * Every tensor op stores float32, so each intermediate the tensor rule materialises is rounded here (and
 * each JS scalar it passes becomes float32 first). Local, not imported: an imported function is a getter
 * call per use under the CommonJS transform tests and benches run with, several times slower in this loop.
 */
const f32 = Math.fround;

export interface AdamArraysOptions {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  /** AdamW: θ ← θ·(1 − lr·λ) instead of adding λθ to the gradient. */
  readonly decoupled: boolean;
  readonly amsgrad: boolean;
}

export interface AdamArraysState {
  /** Updates done (torch's state['step']). */
  t: number;
  /** torch's exp_avg, exp_avg_sq and max_exp_avg_sq (the last empty without amsgrad). */
  readonly expAvg: Float32Array;
  readonly expAvgSq: Float32Array;
  readonly maxExpAvgSq: Float32Array;
}

/**
 * torch.optim.Adam / AdamW on Float32Arrays, rounded like the tensor rule in
 * ../optimizers/adam.ts (and its fused kernel, ../tfjs/fusedAdam.ts).
 */
export function adamArrays(o: AdamArraysOptions): ArrayOptimizer<AdamArraysState> {
  return {
    init: (params) => ({
      t: 0,
      expAvg: new Float32Array(params.length),
      expAvgSq: new Float32Array(params.length),
      maxExpAvgSq: new Float32Array(o.amsgrad ? params.length : 0),
    }),
    update: (input, s) => update(o, input, s),
  };
}

function update(o: AdamArraysOptions, { params, grad, paramsOut, lr }: ArrayStepInput, s: AdamArraysState): ArrayStepResult {
  const t = ++s.t;
  const { expAvg, expAvgSq, maxExpAvgSq } = s;
  const l2 = !o.decoupled && o.weightDecay !== 0;
  // θ·1 is exact, so a zero decoupled decay is skipped as the tensor rule does.
  const decoupledDecay = o.decoupled && o.weightDecay !== 0;
  const amsgrad = o.amsgrad;
  const wd = f32(o.weightDecay);
  const decay = f32(1 - lr * o.weightDecay);
  const b1 = f32(o.beta1);
  const oneMinusB1 = f32(1 - o.beta1);
  const b2 = f32(o.beta2);
  const oneMinusB2 = f32(1 - o.beta2);
  const bc2Sqrt = f32(Math.sqrt(1 - o.beta2 ** t));
  const eps = f32(o.eps);
  // divideSafely's rule: with eps 0 in float32, a zero denominator gives a zero step (torch: NaN or Inf).
  const epsPositive = eps > 0;
  const stepSize = f32(lr / (1 - o.beta1 ** t));
  let updateNormSq = 0;
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    const g = l2 ? f32(grad[i] + f32(p * wd)) : grad[i];
    const theta = decoupledDecay ? f32(p * decay) : p;
    const m = f32(f32(expAvg[i] * b1) + f32(g * oneMinusB1));
    const v = f32(f32(expAvgSq[i] * b2) + f32(f32(g * oneMinusB2) * g));
    expAvg[i] = m;
    expAvgSq[i] = v;
    let vHat = v;
    if (amsgrad) {
      vHat = Math.max(maxExpAvgSq[i], v);
      maxExpAvgSq[i] = vHat;
    }
    const denom = f32(f32(f32(Math.sqrt(vHat)) / bc2Sqrt) + eps);
    const out = f32(theta - (epsPositive || denom !== 0 ? f32(f32(m * stepSize) / denom) : 0));
    paramsOut[i] = out;
    const change = out - p;
    updateNormSq += change * change;
  }
  return { updateNormSq, extraEvals: 0 };
}
