/**
 * H(x)·v as plain JS: the double-backprop Hessian-vector product is traced
 * once at a fixed x (two vectors, to catch computations that change between
 * calls), compiled, and checked against TensorFlow.js before it is used.
 */
import * as tf from '@tensorflow/tfjs';
import { hessianVectorProduct, type FlatObjective, type LinearOperator } from '../curvature/hvp';
import { compileProgram } from './compileProgram';
import { NotCompilable } from './program';
import { traceProgram } from './traceProgram';

/** Relative agreement (to max|Hv|) required between the compiled product and TensorFlow.js's. */
const HVP_TOL = 1e-3;

/** The compiled product on plain arrays: writes H(x)·v into out. */
export interface ArrayHessianOperator {
  readonly size: number;
  apply(v: Float32Array, out: Float32Array): void;
  /** The same as a tensor operator (copies in and out), for Lanczos and power iteration. */
  readonly operator: LinearOperator;
}

export function compileHessianOperator(f: FlatObjective, x: tf.Tensor1D): ArrayHessianOperator {
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
    const expected = traces[k].results[0];
    let scale = 0;
    let worst = 0;
    for (let i = 0; i < n; i++) {
      scale = Math.max(scale, Math.abs(expected[i]));
      worst = Math.max(worst, Math.abs(out[i] - expected[i]));
    }
    if (!(worst <= HVP_TOL * Math.max(scale, 1e-30))) {
      throw new NotCompilable(`the compiled Hessian-vector product disagrees with TensorFlow.js (${(worst / scale).toExponential(1)} relative)`);
    }
  });
  const apply = (v: Float32Array, into: Float32Array) => program.run([xValues, v], [into]);
  return {
    size: n,
    apply,
    operator: (v) => {
      const result = new Float32Array(n);
      apply(v.dataSync() as Float32Array, result);
      return tf.tensor1d(result);
    },
  };
}
