import type { LoopIR } from '../wasm/loopIR';
import type { ArrayOptimizer, ArrayStepInput, ArrayStepResult, WasmMode } from './contracts';
import { epsOf, l2Of, momentFactorsOf } from './float32Constants';
import { UpdateLoop, add, constant, div, ema, emaSquare, mul, sqrt, unlessZero } from './updateLoop';
import { elementwiseArrays } from './wasmUpdate';

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
  /** Whether the update runs as WebAssembly (default 'auto': for large vectors when the engine has SIMD). */
  readonly wasm?: WasmMode;
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

/** What the update uses that only the options decide: the JS loop's locals, the IR's constants and variants. */
function constantsOf(o: NadamArraysOptions) {
  return { ...l2Of(o.weightDecay), ...momentFactorsOf(o.beta1, o.beta2), ...epsOf(o.eps) };
}

/** Advances s to update t at learning rate lr; returns that update's float32 scalars, in the loop IR's parameter order. */
function advance(o: NadamArraysOptions, lr: number, s: NadamArraysState): [bc2: number, gradCoef: number, momentCoef: number] {
  const t = ++s.t;
  const muNow = momentumAt(o, t);
  const muNext = momentumAt(o, t + 1);
  const muProduct = f32mul(s.muProduct, muNow);
  // torch: mu_product * mu * mu_next, where mu_product is already updated (so μ_t counts twice).
  const muProductNext = f32mul(f32mul(muProduct, muNow), muNext);
  s.muProduct = muProduct;
  const bc2 = f32(1 - o.beta2 ** t);
  const gradCoef = f32((-lr * (1 - muNow)) / (1 - muProduct));
  const momentCoef = f32((-lr * muNext) / (1 - muProductNext));
  return [bc2, gradCoef, momentCoef];
}

/** torch.optim.NAdam on Float32Arrays, rounded like the tensor rule in ../optimizers/nadam.ts. */
export function nadamArrays(o: NadamArraysOptions): ArrayOptimizer<NadamArraysState> {
  const c = constantsOf(o);
  return elementwiseArrays<NadamArraysState>(
    o.wasm ?? 'auto',
    {
      slotLengths: (n) => [n, n],
      init: ([expAvg, expAvgSq]) => ({ t: 0, muProduct: 1, expAvg, expAvgSq }),
      loops: (n) => [nadamLoop(c, n)],
      update(input, s, kernel) {
        const scalars = advance(o, input.lr, s);
        return kernel ? kernel.run(0, input, scalars) : update(c, input, s, scalars);
      },
    },
    (wasm) => nadamArrays({ ...o, wasm }),
  );
}

function update(
  c: ReturnType<typeof constantsOf>,
  { params, grad, paramsOut }: ArrayStepInput,
  s: NadamArraysState,
  [bc2, gradCoef, momentCoef]: ReturnType<typeof advance>,
): ArrayStepResult {
  const { expAvg, expAvgSq } = s;
  const { l2, wd, b1, oneMinusB1, b2, oneMinusB2, eps, epsPositive } = c;
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

/** The JS loop above as a loop IR, op for op (slots: expAvg, expAvgSq; scalars: advance's). */
function nadamLoop(c: ReturnType<typeof constantsOf>, n: number): LoopIR {
  const loop = new UpdateLoop(n, 3);
  const { p } = loop;
  const [bc2, gradCoef, momentCoef] = [0, 1, 2].map((k) => loop.scalar(k));
  const g = loop.penalisedGrad(c);
  const m = loop.let(ema(loop.slot(0), c.b1, c.oneMinusB1, g));
  const v = loop.let(emaSquare(loop.slot(1), c.b2, c.oneMinusB2, g));
  loop.store(0, m);
  loop.store(1, v);
  const denom = loop.let(add(sqrt(div(v, bc2)), constant(c.eps)));
  const half = loop.let(add(p, unlessZero(c.epsPositive, denom, div(mul(g, gradCoef), denom))));
  return loop.finish(add(half, unlessZero(c.epsPositive, denom, div(mul(m, momentCoef), denom))));
}
