/**
 * What `npm run bench` sets the deep-learning rows against (issue 20): the multiply-adds of one step's
 * products and convolutions (core's multiplyAddsOf on the traced value and gradient, the program the compiled
 * run computes), and one core's multiply-add limit as WebAssembly reaches it on this machine: a loop of
 * float32x4 multiply-adds into twelve independent accumulators (more than the multiply-add's latency times its
 * issue rate on current x86 and ARM cores), with the instruction the products use (relaxed SIMD's fused
 * multiply-add where it rounds once, else a multiply and an add). The hardware's own limit with wider vectors
 * (AVX2, AVX-512) is higher, and out of WebAssembly's reach: the bench's README says by how much.
 */
import * as tf from '@tensorflow/tfjs';
import type { ArrayInput, TensorObjective } from '../src/core/compiled/compileValueAndGrad';
import { fusedProducts } from '../src/core/compiled/gemmKernels';
import { multiplyAddsOf } from '../src/core/compiled/multiplyAdds';
import { traceProgram } from '../src/core/compiled/traceProgram';
import { valueGraph } from '../src/core/compiled/valueGraph';
import { Code, encodeModule, Op, Simd } from '../src/core/wasm/binary';
import { sharedMemory } from '../src/core/wasm/loopModule';

/** Multiply-adds of one value and gradient of f at x0 on these inputs (one training step's products). */
export function multiplyAddsPerStep(f: TensorObjective, x0: Float32Array, inputs: readonly ArrayInput[]): number {
  const tensors = [tf.tensor1d(x0), ...inputs.map((i) => tf.tensor(i.values, [...i.shape], i.dtype ?? 'float32'))];
  try {
    const valueAndGrad = tf.valueAndGrad((p: tf.Tensor) => f(p as tf.Tensor1D, tensors.slice(1)));
    const { program } = traceProgram((p) => {
      const { value, grad } = valueAndGrad(p);
      return [value, grad];
    }, tensors);
    return multiplyAddsOf(valueGraph(program));
  } finally {
    tf.dispose(tensors);
  }
}

const ACCUMULATORS = 12;
const BLOCK_EMPTY = 0x40;

/** madds(turns): ACCUMULATORS float32x4 multiply-adds per turn; returns a lane so the work is not dropped. */
function ceilingModule(fused: boolean): WebAssembly.Module {
  const c = new Code(['i32'], ['f32']);
  const acc = Array.from({ length: ACCUMULATORS }, () => c.local('v128'));
  const [a, b] = [c.local('v128'), c.local('v128')];
  const splat = (value: number, local: number) => c.f32(value).simd(Simd.f32x4Splat).set(local);
  splat(1.0001, a);
  splat(0.9999, b);
  acc.forEach((local, k) => splat(k, local));
  c.op(Op.loop, BLOCK_EMPTY);
  for (const local of acc) {
    if (fused) c.get(a).get(b).get(local).simd(Simd.f32x4RelaxedMadd).set(local);
    else c.get(local).get(a).get(b).simd(Simd.f32x4Mul).simd(Simd.f32x4Add).set(local);
  }
  c.get(0).i32(1).op(Op.i32Sub).tee(0).op(Op.brIf, 0, Op.end);
  acc.slice(1).forEach((local) => c.get(acc[0]).get(local).simd(Simd.f32x4Add).set(acc[0]));
  c.get(acc[0]).simd(Simd.f32x4ExtractLane, 0);
  return new WebAssembly.Module(encodeModule([{ name: 'madds', code: c }], 1));
}

/** One core's float32 multiply-adds per second in WebAssembly SIMD (the median of 5 timed runs of about 0.1 s). */
export function wasmMultiplyAddLimit(): number {
  const instance = new WebAssembly.Instance(ceilingModule(fusedProducts()), { env: { memory: sharedMemory(1) } });
  const madds = instance.exports.madds as (turns: number) => number;
  madds(1_000_000); // past the baseline compiler's tier
  const turns = 5_000_000;
  const rates: number[] = [];
  for (let run = 0; run < 5; run++) {
    const start = performance.now();
    madds(turns);
    rates.push((turns * ACCUMULATORS * 4) / ((performance.now() - start) / 1000));
  }
  return rates.sort((x, y) => x - y)[2];
}
