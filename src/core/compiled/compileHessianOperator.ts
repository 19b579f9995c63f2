/**
 * H(x)·v as plain JS: the double-backprop Hessian-vector product is traced
 * once (with two vectors, to catch computations that change between calls),
 * compiled with x and v as inputs, and checked against TensorFlow.js before
 * it is used. Later points reuse the program.
 */
import * as tf from '@tensorflow/tfjs';
import { hessianVectorProduct, type ArrayOperator, type FlatObjective, type LinearOperator } from '../curvature/hvp';
import { relativeError } from './agreement';
import { compileProgram } from './compileProgram';
import { NotCompilable } from './program';
import { traceProgram } from './traceProgram';

/** Relative agreement (to max|Hv|) required between the compiled product and TensorFlow.js's. */
const HVP_TOL = 1e-3;

/** The compiled product on plain arrays, for any x of the traced size. */
export interface CompiledHessian {
  readonly size: number;
  /** Loops of the product that run as WebAssembly (for reports). */
  readonly wasmLoops: number;
  /** Writes H(x)·v into out. */
  apply(x: Float32Array, v: Float32Array, out: Float32Array): void;
  /** H at x as a tensor operator (copies in and out), for power iteration and exact spectra. */
  at(x: tf.Tensor1D): LinearOperator;
  /** H at x on plain arrays (x is copied), for lanczos. */
  arraysAt(x: Float32Array): ArrayOperator;
}

export function compileHessian(f: FlatObjective, x: tf.Tensor1D): CompiledHessian {
  const n = x.size;
  const xValues = Float32Array.from(x.dataSync());
  const probes = [0, 1].map((k) => Float32Array.from({ length: n }, (_, i) => Math.sin(1 + i * (k + 1.37))));
  const traces = probes.map((v) => {
    const inputs = [tf.tensor1d(xValues), tf.tensor1d(v)];
    try {
      return traceProgram((xt, vt) => [hessianVectorProduct(f, xt as tf.Tensor1D, vt as tf.Tensor1D)], inputs);
    } finally {
      tf.dispose(inputs);
    }
  });
  const kernels = traces.map((t) => t.program.nodes.map((node) => node.kernel).join(','));
  if (kernels[0] !== kernels[1]) throw new NotCompilable('the Hessian-vector product runs different operations from call to call');
  const program = compileProgram(traces[0].program);
  const out = new Float32Array(n);
  probes.forEach((v, k) => {
    program.run([xValues, v], [out]);
    const error = relativeError(out, traces[k].results[0]);
    if (!(error <= HVP_TOL)) throw new NotCompilable(`the compiled Hessian-vector product disagrees with TensorFlow.js (${error.toExponential(1)} relative)`);
  });
  const apply = (at: Float32Array, v: Float32Array, into: Float32Array) => program.run([at, v], [into]);
  const arraysAt = (point: Float32Array): ArrayOperator => {
    const values = Float32Array.from(point);
    return (v, into) => apply(values, v, into);
  };
  return {
    size: n,
    wasmLoops: program.wasmLoops,
    apply,
    at: (point) => {
      const product = arraysAt(point.dataSync() as Float32Array);
      return (v) => {
        // v lives in CPU memory on every backend this project runs (node, wasm, cpu): reading it is a copy, not a device sync.
        const result = new Float32Array(n);
        product(v.dataSync() as Float32Array, result);
        return tf.tensor1d(result);
      };
    },
    arraysAt,
  };
}
