/**
 * A function from the flat parameter vector to another vector (a constraint's
 * projection) as plain JS: traced at two points, compiled, and checked
 * against TensorFlow.js at both before it is used.
 */
import * as tf from '@tensorflow/tfjs';
import { relativeError } from './agreement';
import { compileProgram } from './compileProgram';
import { NotCompilable } from './program';
import { traceProgram } from './traceProgram';

/** Relative agreement (to max|y|) with TensorFlow.js: both are float32, sums are ordered differently. */
const TOL = 1e-5;

export interface CompiledVectorFunction {
  /** y = fn(x) into out (out may be x itself: the result is written only at the end). */
  apply(x: Float32Array, out: Float32Array): void;
}

export function compileVectorFunction(fn: (x: tf.Tensor1D) => tf.Tensor1D, at: Float32Array): CompiledVectorFunction {
  const n = at.length;
  const points = [at, at.map((v, i) => v + 0.25 * (1 + Math.abs(v)) * (((i * 7) % 5) - 2))];
  const traces = points.map((p) => {
    const x = tf.tensor1d(p);
    try {
      return traceProgram((t) => [fn(t as tf.Tensor1D)], [x]);
    } finally {
      x.dispose();
    }
  });
  const kernels = traces.map((t) => t.program.nodes.map((node) => `${node.kernel}${JSON.stringify(node.attrs)}`).join(','));
  if (kernels[0] !== kernels[1]) throw new NotCompilable('the projection runs different operations at different points');
  const program = compileProgram(traces[0].program);
  const scratch = new Float32Array(program.outputSizes[0]);
  if (scratch.length !== n) throw new NotCompilable(`the projection returns ${scratch.length} values for ${n} parameters`);
  points.forEach((p, k) => {
    program.run([p], [scratch]);
    const error = relativeError(scratch, traces[k].results[0]);
    if (!(error <= TOL)) throw new NotCompilable(`the compiled projection disagrees with TensorFlow.js (${error.toExponential(1)} relative)`);
  });
  return {
    apply(x, out) {
      program.run([x], [scratch]);
      out.set(scratch);
    },
  };
}
