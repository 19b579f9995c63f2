import type { ArrayOptimizer, ArrayStepInput, ArrayStepResult } from './contracts';

/**
 * Every tensor op stores float32, so each intermediate the tensor rule materialises is rounded here (and
 * each JS scalar it passes becomes float32 first). Local, not imported: an imported function is a getter
 * call per use under the CommonJS transform tests and benches run with, several times slower in this loop.
 */
const f32 = Math.fround;

export interface RmspropArraysOptions {
  readonly alpha: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly momentum: number;
  readonly centered: boolean;
}

export interface RmspropArraysState {
  /** Updates done (torch's state['step']). */
  t: number;
  /** torch's square_avg, momentum_buffer and grad_avg (the last two empty when unused). */
  readonly squareAvg: Float32Array;
  readonly momentumBuffer: Float32Array;
  readonly gradAvg: Float32Array;
}

/**
 * torch.optim.RMSprop on Float32Arrays, rounded like the tensor rule in
 * ../optimizers/rmsprop.ts, including its safe centred variance (negative → 0,
 * NaN → E[g²]).
 */
export function rmspropArrays(o: RmspropArraysOptions): ArrayOptimizer<RmspropArraysState> {
  return {
    init: (params) => ({
      t: 0,
      squareAvg: new Float32Array(params.length),
      momentumBuffer: new Float32Array(o.momentum > 0 ? params.length : 0),
      gradAvg: new Float32Array(o.centered ? params.length : 0),
    }),
    update: (input, s) => update(o, input, s),
  };
}

function update(o: RmspropArraysOptions, { params, grad, paramsOut, lr }: ArrayStepInput, s: RmspropArraysState): ArrayStepResult {
  s.t++;
  const { squareAvg, momentumBuffer, gradAvg } = s;
  const l2 = o.weightDecay !== 0;
  const useMomentum = o.momentum > 0;
  const wd = f32(o.weightDecay);
  const alpha = f32(o.alpha);
  const oneMinusAlpha = f32(1 - o.alpha);
  const eps = f32(o.eps);
  // divideSafely's rule: with eps 0 in float32, a zero denominator gives a zero step (torch: NaN or Inf).
  const epsPositive = eps > 0;
  const momentum = f32(o.momentum);
  const negLr = f32(-lr);
  let updateNormSq = 0;
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    const g = l2 ? f32(grad[i] + f32(p * wd)) : grad[i];
    const v = f32(f32(squareAvg[i] * alpha) + f32(f32(g * oneMinusAlpha) * g));
    squareAvg[i] = v;
    let avg: number;
    if (o.centered) {
      const ga = f32(f32(gradAvg[i] * alpha) + f32(g * oneMinusAlpha));
      gradAvg[i] = ga;
      const variance = f32(v - f32(ga * ga));
      avg = f32(Math.sqrt(Number.isNaN(variance) ? v : Math.max(0, variance)));
    } else {
      avg = f32(Math.sqrt(v));
    }
    avg = f32(avg + eps);
    let out: number;
    if (useMomentum) {
      const b = f32(f32(momentumBuffer[i] * momentum) + (epsPositive || avg !== 0 ? f32(g / avg) : 0));
      momentumBuffer[i] = b;
      out = f32(p + f32(b * negLr));
    } else {
      out = f32(p + (epsPositive || avg !== 0 ? f32(f32(g * negLr) / avg) : 0));
    }
    paramsOut[i] = out;
    const change = out - p;
    updateNormSq += change * change;
  }
  return { updateNormSq, extraEvals: 0 };
}
