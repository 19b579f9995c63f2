import type { LoopIR } from '../wasm/loopIR';
import type { ArrayOptimizer, ArrayStepInput, ArrayStepResult, WasmMode } from './contracts';
import { epsOf, l2Of } from './float32Constants';
import { UpdateLoop, add, constant, div, mul, sqrt, unlessZero } from './updateLoop';
import { elementwiseArrays } from './wasmUpdate';

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
  /** Whether the update runs as WebAssembly (default 'auto': for large vectors when the engine has SIMD). */
  readonly wasm?: WasmMode;
}

export interface AdagradArraysState {
  /** Updates done (torch's state['step']). */
  t: number;
  /** torch's sum of squared gradients. */
  readonly sum: Float32Array;
}

/** What the update uses that only the options decide: the JS loop's locals, the IR's constants and variants. */
function constantsOf(o: AdagradArraysOptions) {
  return { ...l2Of(o.weightDecay), ...epsOf(o.eps) };
}

/** torch.optim.Adagrad on Float32Arrays, rounded like the tensor rule in ../optimizers/adagrad.ts. */
export function adagradArrays(o: AdagradArraysOptions): ArrayOptimizer<AdagradArraysState> {
  const c = constantsOf(o);
  return elementwiseArrays<AdagradArraysState>(
    o.wasm ?? 'auto',
    {
      slotLengths: (n) => [n],
      init: ([sum]) => ({ t: 0, sum: sum.fill(o.initialAccumulatorValue) }),
      loops: (n) => [adagradLoop(c, n)],
      update(input, s, kernel) {
        const t = ++s.t;
        const negClr = f32(-(input.lr / (1 + (t - 1) * o.lrDecay)));
        return kernel ? kernel.run(0, input, [negClr]) : update(c, input, s, negClr);
      },
    },
    (wasm) => adagradArrays({ ...o, wasm }),
  );
}

function update(c: ReturnType<typeof constantsOf>, { params, grad, paramsOut }: ArrayStepInput, s: AdagradArraysState, negClr: number): ArrayStepResult {
  const sum = s.sum;
  const { l2, wd, eps, epsPositive } = c;
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

/** The JS loop above as a loop IR, op for op (slot: sum; scalar: negClr). */
function adagradLoop(c: ReturnType<typeof constantsOf>, n: number): LoopIR {
  const loop = new UpdateLoop(n, 1);
  const { p } = loop;
  const g = loop.penalisedGrad(c);
  const acc = loop.let(add(loop.slot(0), mul(g, g)));
  loop.store(0, acc);
  const std = loop.let(add(sqrt(acc), constant(c.eps)));
  return loop.finish(add(p, unlessZero(c.epsPositive, std, div(mul(g, loop.scalar(0)), std))));
}
