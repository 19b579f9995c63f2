import type { ArrayOptimizer, ArrayStepInput, ArrayStepResult } from './contracts';

/**
 * Every tensor op stores float32, so each intermediate the tensor rule materialises is rounded here (and
 * each JS scalar it passes becomes float32 first). Local, not imported: an imported function is a getter
 * call per use under the CommonJS transform tests and benches run with, several times slower in this loop.
 */
const f32 = Math.fround;

export interface SgdArraysOptions {
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
}

export interface SgdArraysState {
  /** Updates done (torch's state['step']). */
  t: number;
  /** torch's momentum_buffer (empty without momentum); it starts as a copy of d on the first update. */
  readonly momentumBuffer: Float32Array;
}

/** torch.optim.SGD on Float32Arrays, rounded like the tensor rule in ../optimizers/sgd.ts. */
export function sgdArrays(o: SgdArraysOptions): ArrayOptimizer<SgdArraysState> {
  return {
    init: (params) => ({ t: 0, momentumBuffer: new Float32Array(o.momentum !== 0 ? params.length : 0) }),
    update: (input, s) => update(o, input, s),
  };
}

function update(o: SgdArraysOptions, { params, grad, paramsOut, lr }: ArrayStepInput, s: SgdArraysState): ArrayStepResult {
  const buf = s.momentumBuffer;
  const first = s.t === 0;
  s.t++;
  const l2 = o.weightDecay !== 0;
  const useMomentum = o.momentum !== 0;
  const wd = f32(o.weightDecay);
  const momentum = f32(o.momentum);
  const undamped = f32(1 - o.dampening);
  const negLr = f32(-lr);
  let updateNormSq = 0;
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    let d = l2 ? f32(grad[i] + f32(p * wd)) : grad[i];
    if (useMomentum) {
      const b = first ? d : f32(f32(buf[i] * momentum) + f32(d * undamped));
      buf[i] = b;
      d = o.nesterov ? f32(d + f32(b * momentum)) : b;
    }
    const out = f32(p + f32(d * negLr));
    paramsOut[i] = out;
    const change = out - p;
    updateNormSq += change * change;
  }
  return { updateNormSq, extraEvals: 0 };
}
