import type { LoopIR } from '../wasm/loopIR';
import type { ArrayOptimizer, ArrayStepInput, ArrayStepResult, WasmMode } from './contracts';
import { epsOf, l2Of } from './float32Constants';
import { UpdateLoop, add, constant, div, emaSquare, mul, sqrt, unlessZero } from './updateLoop';
import { elementwiseArrays } from './wasmUpdate';

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
  /** Whether the update runs as WebAssembly (default 'auto': for large vectors when the engine has SIMD). */
  readonly wasm?: WasmMode;
}

export interface AdadeltaArraysState {
  /** Updates done (torch's state['step']). */
  t: number;
  /** torch's square_avg and acc_delta. */
  readonly squareAvg: Float32Array;
  readonly accDelta: Float32Array;
}

/** What the update uses that only the options decide: the JS loop's locals, the IR's constants and variants. */
function constantsOf(o: AdadeltaArraysOptions) {
  return { ...l2Of(o.weightDecay), rho: f32(o.rho), oneMinusRho: f32(1 - o.rho), ...epsOf(o.eps) };
}

/** torch.optim.Adadelta on Float32Arrays, rounded like the tensor rule in ../optimizers/adadelta.ts. */
export function adadeltaArrays(o: AdadeltaArraysOptions): ArrayOptimizer<AdadeltaArraysState> {
  const c = constantsOf(o);
  return elementwiseArrays<AdadeltaArraysState>(
    o.wasm ?? 'auto',
    {
      slotLengths: (n) => [n, n],
      init: ([squareAvg, accDelta]) => ({ t: 0, squareAvg, accDelta }),
      loops: (n) => [adadeltaLoop(c, n)],
      update(input, s, kernel) {
        s.t++;
        const negLr = f32(-input.lr);
        return kernel ? kernel.run(0, input, [negLr]) : update(c, input, s, negLr);
      },
    },
    (wasm) => adadeltaArrays({ ...o, wasm }),
  );
}

function update(c: ReturnType<typeof constantsOf>, { params, grad, paramsOut }: ArrayStepInput, s: AdadeltaArraysState, negLr: number): ArrayStepResult {
  const { squareAvg, accDelta } = s;
  const { l2, wd, rho, oneMinusRho, eps, epsPositive } = c;
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

/** The JS loop above as a loop IR, op for op (slots: squareAvg, accDelta; scalar: negLr). */
function adadeltaLoop(c: ReturnType<typeof constantsOf>, n: number): LoopIR {
  const loop = new UpdateLoop(n, 1);
  const { p } = loop;
  const eps = constant(c.eps);
  const g = loop.penalisedGrad(c);
  const v = loop.let(emaSquare(loop.slot(0), c.rho, c.oneMinusRho, g));
  loop.store(0, v);
  const std = loop.let(sqrt(add(v, eps)));
  const u = loop.let(loop.slot(1));
  const delta = loop.let(mul(unlessZero(c.epsPositive, std, div(sqrt(add(u, eps)), std)), g));
  loop.store(1, emaSquare(u, c.rho, c.oneMinusRho, delta));
  return loop.finish(add(p, mul(delta, loop.scalar(0))));
}
