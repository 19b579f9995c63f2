import type { LoopIR } from '../wasm/loopIR';
import type { ArrayOptimizer, ArrayStepInput, ArrayStepResult, WasmMode } from './contracts';
import { epsOf, l2Of, momentFactorsOf } from './float32Constants';
import { UpdateLoop, abs, add, constant, div, ema, max, mul, unlessZero } from './updateLoop';
import { elementwiseArrays } from './wasmUpdate';

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
  /** Whether the update runs as WebAssembly (default 'auto': for large vectors when the engine has SIMD). */
  readonly wasm?: WasmMode;
}

export interface AdamaxArraysState {
  /** Updates done (torch's state['step']). */
  t: number;
  /** torch's exp_avg and exp_inf. */
  readonly expAvg: Float32Array;
  readonly expInf: Float32Array;
}

/** What the update uses that only the options decide: the JS loop's locals, the IR's constants and variants. */
function constantsOf(o: AdamaxArraysOptions) {
  return { ...l2Of(o.weightDecay), ...momentFactorsOf(o.beta1, o.beta2), ...epsOf(o.eps) };
}

/** torch.optim.Adamax on Float32Arrays, rounded like the tensor rule in ../optimizers/adamax.ts. */
export function adamaxArrays(o: AdamaxArraysOptions): ArrayOptimizer<AdamaxArraysState> {
  const c = constantsOf(o);
  return elementwiseArrays<AdamaxArraysState>(
    o.wasm ?? 'auto',
    {
      slotLengths: (n) => [n, n],
      init: ([expAvg, expInf]) => ({ t: 0, expAvg, expInf }),
      loops: (n) => [adamaxLoop(c, n)],
      update(input, s, kernel) {
        const t = ++s.t;
        const negClr = f32(-(input.lr / (1 - o.beta1 ** t)));
        return kernel ? kernel.run(0, input, [negClr]) : update(c, input, s, negClr);
      },
    },
    (wasm) => adamaxArrays({ ...o, wasm }),
  );
}

function update(c: ReturnType<typeof constantsOf>, { params, grad, paramsOut }: ArrayStepInput, s: AdamaxArraysState, negClr: number): ArrayStepResult {
  const { expAvg, expInf } = s;
  const { l2, wd, b1, oneMinusB1, b2, eps, epsPositive } = c;
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

/** The JS loop above as a loop IR, op for op (slots: expAvg, expInf; scalar: negClr). */
function adamaxLoop(c: ReturnType<typeof constantsOf>, n: number): LoopIR {
  const loop = new UpdateLoop(n, 1);
  const { p } = loop;
  const g = loop.penalisedGrad(c);
  const m = loop.let(ema(loop.slot(0), c.b1, c.oneMinusB1, g));
  const u = loop.let(max(mul(loop.slot(1), constant(c.b2)), add(abs(g), constant(c.eps))));
  loop.store(0, m);
  loop.store(1, u);
  return loop.finish(add(p, unlessZero(c.epsPositive, u, div(mul(m, loop.scalar(0)), u))));
}
