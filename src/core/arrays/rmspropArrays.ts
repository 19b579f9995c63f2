import { lit, select, type Expr, type LoopIR } from '../wasm/loopIR';
import type { ArrayOptimizer, ArrayStepInput, ArrayStepResult, WasmMode } from './contracts';
import { epsOf, l2Of } from './float32Constants';
import { UpdateLoop, add, constant, div, ema, emaSquare, max, mul, sqrt, sub, unlessZero } from './updateLoop';
import { elementwiseArrays } from './wasmUpdate';

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
  /** Whether the update runs as WebAssembly (default 'auto': for large vectors when the engine has SIMD). */
  readonly wasm?: WasmMode;
}

export interface RmspropArraysState {
  /** Updates done (torch's state['step']). */
  t: number;
  /** torch's square_avg, momentum_buffer and grad_avg (the last two empty when unused). */
  readonly squareAvg: Float32Array;
  readonly momentumBuffer: Float32Array;
  readonly gradAvg: Float32Array;
}

/** What the update uses that only the options decide: the JS loop's locals, the IR's constants and variants. */
function constantsOf(o: RmspropArraysOptions) {
  return {
    ...l2Of(o.weightDecay),
    useMomentum: o.momentum > 0,
    centered: o.centered,
    alpha: f32(o.alpha),
    oneMinusAlpha: f32(1 - o.alpha),
    ...epsOf(o.eps),
    momentum: f32(o.momentum),
  };
}

/**
 * torch.optim.RMSprop on Float32Arrays, rounded like the tensor rule in
 * ../optimizers/rmsprop.ts, including its safe centred variance (negative → 0,
 * NaN → E[g²]).
 */
export function rmspropArrays(o: RmspropArraysOptions): ArrayOptimizer<RmspropArraysState> {
  const c = constantsOf(o);
  return elementwiseArrays<RmspropArraysState>(
    o.wasm ?? 'auto',
    {
      slotLengths: (n) => [n, c.useMomentum ? n : 0, c.centered ? n : 0],
      init: ([squareAvg, momentumBuffer, gradAvg]) => ({ t: 0, squareAvg, momentumBuffer, gradAvg }),
      loops: (n) => [rmspropLoop(c, n)],
      update(input, s, kernel) {
        s.t++;
        const negLr = f32(-input.lr);
        return kernel ? kernel.run(0, input, [negLr]) : update(c, input, s, negLr);
      },
    },
    (wasm) => rmspropArrays({ ...o, wasm }),
  );
}

function update(c: ReturnType<typeof constantsOf>, { params, grad, paramsOut }: ArrayStepInput, s: RmspropArraysState, negLr: number): ArrayStepResult {
  const { squareAvg, momentumBuffer, gradAvg } = s;
  const { l2, useMomentum, centered, wd, alpha, oneMinusAlpha, eps, epsPositive, momentum } = c;
  let updateNormSq = 0;
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    const g = l2 ? f32(grad[i] + f32(p * wd)) : grad[i];
    const v = f32(f32(squareAvg[i] * alpha) + f32(f32(g * oneMinusAlpha) * g));
    squareAvg[i] = v;
    let avg: number;
    if (centered) {
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

/** The JS loop above as a loop IR, op for op (slots: squareAvg, momentumBuffer, gradAvg; scalar: negLr). */
function rmspropLoop(c: ReturnType<typeof constantsOf>, n: number): LoopIR {
  const loop = new UpdateLoop(n, 1);
  const { p } = loop;
  const negLr = loop.scalar(0);
  const g = loop.penalisedGrad(c);
  const v = loop.let(emaSquare(loop.slot(0), c.alpha, c.oneMinusAlpha, g));
  loop.store(0, v);
  let avg: Expr;
  if (c.centered) {
    const ga = loop.let(ema(loop.slot(2), c.alpha, c.oneMinusAlpha, g));
    loop.store(2, ga);
    const variance = loop.let(sub(v, mul(ga, ga)));
    // Number.isNaN(variance) ⇔ variance !== variance.
    avg = sqrt(select('ne', variance, variance, v, max(lit(0), variance)));
  } else {
    avg = sqrt(v);
  }
  avg = loop.let(add(avg, constant(c.eps)));
  if (c.useMomentum) {
    const b = loop.let(add(mul(loop.slot(1), constant(c.momentum)), unlessZero(c.epsPositive, avg, div(g, avg))));
    loop.store(1, b);
    return loop.finish(add(p, mul(b, negLr)));
  }
  return loop.finish(add(p, unlessZero(c.epsPositive, avg, div(mul(g, negLr), avg))));
}
