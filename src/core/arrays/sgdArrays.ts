import type { LoopIR } from '../wasm/loopIR';
import type { ArrayOptimizer, ArrayStepInput, ArrayStepResult, WasmMode } from './contracts';
import { l2Of } from './float32Constants';
import { UpdateLoop, add, constant, ema, mul } from './updateLoop';
import { elementwiseArrays } from './wasmUpdate';

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
  /** Whether the update runs as WebAssembly (default 'auto': for large vectors when the engine has SIMD). */
  readonly wasm?: WasmMode;
}

export interface SgdArraysState {
  /** Updates done (torch's state['step']). */
  t: number;
  /** torch's momentum_buffer (empty without momentum); it starts as a copy of d on the first update. */
  readonly momentumBuffer: Float32Array;
}

/** What the update uses that only the options decide: the JS loop's locals, the IR's constants and variants. */
function constantsOf(o: SgdArraysOptions) {
  return { ...l2Of(o.weightDecay), useMomentum: o.momentum !== 0, nesterov: o.nesterov, momentum: f32(o.momentum), undamped: f32(1 - o.dampening) };
}

/** torch.optim.SGD on Float32Arrays, rounded like the tensor rule in ../optimizers/sgd.ts. */
export function sgdArrays(o: SgdArraysOptions): ArrayOptimizer<SgdArraysState> {
  const c = constantsOf(o);
  return elementwiseArrays<SgdArraysState>(
    o.wasm ?? 'auto',
    {
      slotLengths: (n) => [c.useMomentum ? n : 0],
      init: ([momentumBuffer]) => ({ t: 0, momentumBuffer }),
      // The first update copies d into the momentum buffer; later ones mix it in.
      loops: (n) => [sgdLoop(c, true, n), sgdLoop(c, false, n)],
      update(input, s, kernel) {
        const first = s.t === 0;
        s.t++;
        const negLr = f32(-input.lr);
        return kernel ? kernel.run(first ? 0 : 1, input, [negLr]) : update(c, first, input, s, negLr);
      },
    },
    (wasm) => sgdArrays({ ...o, wasm }),
  );
}

function update(
  c: ReturnType<typeof constantsOf>,
  first: boolean,
  { params, grad, paramsOut }: ArrayStepInput,
  s: SgdArraysState,
  negLr: number,
): ArrayStepResult {
  const buf = s.momentumBuffer;
  const { l2, useMomentum, nesterov, wd, momentum, undamped } = c;
  let updateNormSq = 0;
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    let d = l2 ? f32(grad[i] + f32(p * wd)) : grad[i];
    if (useMomentum) {
      const b = first ? d : f32(f32(buf[i] * momentum) + f32(d * undamped));
      buf[i] = b;
      d = nesterov ? f32(d + f32(b * momentum)) : b;
    }
    const out = f32(p + f32(d * negLr));
    paramsOut[i] = out;
    const change = out - p;
    updateNormSq += change * change;
  }
  return { updateNormSq, extraEvals: 0 };
}

/** The JS loop above as a loop IR, op for op (slot: momentumBuffer; scalar: negLr). */
function sgdLoop(c: ReturnType<typeof constantsOf>, first: boolean, n: number): LoopIR {
  const loop = new UpdateLoop(n, 1);
  const { p } = loop;
  let d = loop.penalisedGrad(c);
  if (c.useMomentum) {
    const b = first ? d : loop.let(ema(loop.slot(0), c.momentum, c.undamped, d));
    loop.store(0, b);
    d = c.nesterov ? add(d, mul(b, constant(c.momentum))) : b;
  }
  return loop.finish(add(p, mul(d, loop.scalar(0))));
}
