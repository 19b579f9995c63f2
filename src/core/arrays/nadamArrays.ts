import type { ArrayOptimizer, ArrayStepInput, ArrayStepResult } from './contracts';

/**
 * Every tensor op stores float32, so each intermediate the tensor rule materialises is rounded here (and
 * each JS scalar it passes becomes float32 first). Local, not imported: an imported function is a getter
 * call per use under the CommonJS transform tests and benches run with, several times slower in this loop.
 */
const f32 = Math.fround;

export interface NadamArraysOptions {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly momentumDecay: number;
}

export interface NadamArraysState {
  /** Updates done (torch's state['step']). */
  t: number;
  /** torch's mu_product, a float32 value (torch keeps it as a float32 tensor). */
  muProduct: number;
  /** torch's exp_avg and exp_avg_sq. */
  readonly expAvg: Float32Array;
  readonly expAvgSq: Float32Array;
}

/** a·b with b first made float32, rounded to float32: torch's float32 mu_product times a Python float. */
const f32mul = (a: number, b: number) => f32(a * f32(b));

/** torch's μ_t = β₁(1 − ½·0.96^(tψ)), in double as torch computes it in Python. */
function momentumAt(o: NadamArraysOptions, t: number): number {
  return o.beta1 * (1 - 0.5 * 0.96 ** (t * o.momentumDecay));
}

/** torch.optim.NAdam on Float32Arrays, rounded like the tensor rule in ../optimizers/nadam.ts. */
export function nadamArrays(o: NadamArraysOptions): ArrayOptimizer<NadamArraysState> {
  return {
    init: (params) => ({ t: 0, muProduct: 1, expAvg: new Float32Array(params.length), expAvgSq: new Float32Array(params.length) }),
    update: (input, s) => update(o, input, s),
  };
}

function update(o: NadamArraysOptions, { params, grad, paramsOut, lr }: ArrayStepInput, s: NadamArraysState): ArrayStepResult {
  const t = ++s.t;
  const { expAvg, expAvgSq } = s;
  const muNow = momentumAt(o, t);
  const muNext = momentumAt(o, t + 1);
  const muProduct = f32mul(s.muProduct, muNow);
  // torch: mu_product * mu * mu_next, where mu_product is already updated (so μ_t counts twice).
  const muProductNext = f32mul(f32mul(muProduct, muNow), muNext);
  s.muProduct = muProduct;
  const l2 = o.weightDecay !== 0;
  const wd = f32(o.weightDecay);
  const b1 = f32(o.beta1);
  const oneMinusB1 = f32(1 - o.beta1);
  const b2 = f32(o.beta2);
  const oneMinusB2 = f32(1 - o.beta2);
  const bc2 = f32(1 - o.beta2 ** t);
  const eps = f32(o.eps);
  // divideSafely's rule: with eps 0 in float32, a zero denominator gives a zero step (torch: NaN or Inf).
  const epsPositive = eps > 0;
  const gradCoef = f32((-lr * (1 - muNow)) / (1 - muProduct));
  const momentCoef = f32((-lr * muNext) / (1 - muProductNext));
  let updateNormSq = 0;
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    const g = l2 ? f32(grad[i] + f32(p * wd)) : grad[i];
    const m = f32(f32(expAvg[i] * b1) + f32(g * oneMinusB1));
    const v = f32(f32(expAvgSq[i] * b2) + f32(f32(g * oneMinusB2) * g));
    expAvg[i] = m;
    expAvgSq[i] = v;
    const denom = f32(f32(Math.sqrt(f32(v / bc2))) + eps);
    const half = f32(p + (epsPositive || denom !== 0 ? f32(f32(g * gradCoef) / denom) : 0));
    const out = f32(half + (epsPositive || denom !== 0 ? f32(f32(m * momentCoef) / denom) : 0));
    paramsOut[i] = out;
    const change = out - p;
    updateNormSq += change * change;
  }
  return { updateNormSq, extraEvals: 0 };
}
