import type { ArrayOptimizer, ArrayStepInput, ArrayStepResult } from './contracts';

/**
 * Every tensor op stores float32, so each intermediate the tensor rule materialises is rounded here (and
 * each JS scalar it passes becomes float32 first). Local, not imported: an imported function is a getter
 * call per use under the CommonJS transform tests and benches run with, several times slower in this loop.
 */
const f32 = Math.fround;

export interface AdadeltaArraysOptions {
  readonly rho: number;
  readonly eps: number;
  readonly weightDecay: number;
}

export interface AdadeltaArraysState {
  /** Updates done (torch's state['step']). */
  t: number;
  /** torch's square_avg and acc_delta. */
  readonly squareAvg: Float32Array;
  readonly accDelta: Float32Array;
}

/** torch.optim.Adadelta on Float32Arrays, rounded like the tensor rule in ../optimizers/adadelta.ts. */
export function adadeltaArrays(o: AdadeltaArraysOptions): ArrayOptimizer<AdadeltaArraysState> {
  return {
    init: (params) => ({ t: 0, squareAvg: new Float32Array(params.length), accDelta: new Float32Array(params.length) }),
    update: (input, s) => update(o, input, s),
  };
}

function update(o: AdadeltaArraysOptions, { params, grad, paramsOut, lr }: ArrayStepInput, s: AdadeltaArraysState): ArrayStepResult {
  s.t++;
  const { squareAvg, accDelta } = s;
  const l2 = o.weightDecay !== 0;
  const wd = f32(o.weightDecay);
  const rho = f32(o.rho);
  const oneMinusRho = f32(1 - o.rho);
  const eps = f32(o.eps);
  // divideSafely's rule: with eps 0 in float32, a zero denominator gives a zero step (torch: NaN or Inf).
  const epsPositive = eps > 0;
  const negLr = f32(-lr);
  let updateNormSq = 0;
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    const g = l2 ? f32(grad[i] + f32(p * wd)) : grad[i];
    const v = f32(f32(squareAvg[i] * rho) + f32(f32(g * oneMinusRho) * g));
    squareAvg[i] = v;
    const std = f32(Math.sqrt(f32(v + eps)));
    // torch's order: (√(u + ε) / std)·g.
    const delta = f32((epsPositive || std !== 0 ? f32(f32(Math.sqrt(f32(accDelta[i] + eps))) / std) : 0) * g);
    accDelta[i] = f32(f32(accDelta[i] * rho) + f32(f32(delta * oneMinusRho) * delta));
    const out = f32(p + f32(delta * negLr));
    paramsOut[i] = out;
    const change = out - p;
    updateNormSq += change * change;
  }
  return { updateNormSq, extraEvals: 0 };
}
