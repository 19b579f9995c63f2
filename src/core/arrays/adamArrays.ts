import type { LoopIR } from '../wasm/loopIR';
import type { ArrayOptimizer, ArrayStepInput, ArrayStepResult, WasmMode } from './contracts';
import { epsOf, l2Of, momentFactorsOf } from './float32Constants';
import { UpdateLoop, add, constant, div, ema, emaSquare, max, mul, sqrt, sub, unlessZero } from './updateLoop';
import { elementwiseArrays } from './wasmUpdate';

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
  /** Whether the update runs as WebAssembly (default 'auto': for large vectors when the engine has SIMD). */
  readonly wasm?: WasmMode;
}

export interface AdamArraysState {
  /** Updates done (torch's state['step']). */
  t: number;
  /** torch's exp_avg, exp_avg_sq and max_exp_avg_sq (the last empty without amsgrad). */
  readonly expAvg: Float32Array;
  readonly expAvgSq: Float32Array;
  readonly maxExpAvgSq: Float32Array;
}

/** What the update uses that only the options decide: the JS loop's locals, the IR's constants and variants. */
function constantsOf(o: AdamArraysOptions) {
  return {
    // AdamW decays θ instead (by the scalar `decay`): no L2 term.
    ...l2Of(o.decoupled ? 0 : o.weightDecay),
    // θ·1 is exact, so a zero decoupled decay is skipped as the tensor rule does.
    decoupledDecay: o.decoupled && o.weightDecay !== 0,
    amsgrad: o.amsgrad,
    ...momentFactorsOf(o.beta1, o.beta2),
    ...epsOf(o.eps),
  };
}

/** The float32 scalars of update t at learning rate lr, in the loop IR's parameter order. */
function scalarsOf(o: AdamArraysOptions, lr: number, t: number): [decay: number, bc2Sqrt: number, stepSize: number] {
  return [f32(1 - lr * o.weightDecay), f32(Math.sqrt(1 - o.beta2 ** t)), f32(lr / (1 - o.beta1 ** t))];
}

/**
 * torch.optim.Adam / AdamW on Float32Arrays, rounded like the tensor rule in
 * ../optimizers/adam.ts (and its fused kernel, ../tfjs/fusedAdam.ts).
 */
export function adamArrays(o: AdamArraysOptions): ArrayOptimizer<AdamArraysState> {
  const c = constantsOf(o);
  return elementwiseArrays<AdamArraysState>(
    o.wasm ?? 'auto',
    {
      slotLengths: (n) => [n, n, o.amsgrad ? n : 0],
      init: ([expAvg, expAvgSq, maxExpAvgSq]) => ({ t: 0, expAvg, expAvgSq, maxExpAvgSq }),
      loops: (n) => [adamLoop(c, n)],
      update(input, s, kernel) {
        const scalars = scalarsOf(o, input.lr, ++s.t);
        return kernel ? kernel.run(0, input, scalars) : update(c, input, s, scalars);
      },
    },
    (wasm) => adamArrays({ ...o, wasm }),
  );
}

function update(
  c: ReturnType<typeof constantsOf>,
  { params, grad, paramsOut }: ArrayStepInput,
  s: AdamArraysState,
  [decay, bc2Sqrt, stepSize]: ReturnType<typeof scalarsOf>,
): ArrayStepResult {
  const { expAvg, expAvgSq, maxExpAvgSq } = s;
  const { l2, decoupledDecay, amsgrad, wd, b1, oneMinusB1, b2, oneMinusB2, eps, epsPositive } = c;
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

/** The JS loop above as a loop IR, op for op (slots: expAvg, expAvgSq, maxExpAvgSq; scalars: scalarsOf's). */
function adamLoop(c: ReturnType<typeof constantsOf>, n: number): LoopIR {
  const loop = new UpdateLoop(n, 3);
  const { p } = loop;
  const [decay, bc2Sqrt, stepSize] = [0, 1, 2].map((k) => loop.scalar(k));
  const g = loop.penalisedGrad(c);
  const theta = c.decoupledDecay ? mul(p, decay) : p;
  const m = loop.let(ema(loop.slot(0), c.b1, c.oneMinusB1, g));
  const v = loop.let(emaSquare(loop.slot(1), c.b2, c.oneMinusB2, g));
  loop.store(0, m);
  loop.store(1, v);
  let vHat = v;
  if (c.amsgrad) {
    vHat = loop.let(max(loop.slot(2), v));
    loop.store(2, vHat);
  }
  const denom = loop.let(add(div(sqrt(vHat), bc2Sqrt), constant(c.eps)));
  return loop.finish(sub(theta, unlessZero(c.epsPositive, denom, div(mul(m, stepSize), denom))));
}
