import * as tf from '@tensorflow/tfjs';

/**
 * A BatchMatMul kernel for the wasm backend that never multiplies a transposed operand in place.
 * The stock kernel (TensorFlow.js 4.22) runs a product with transposeA or transposeB through a
 * plain loop that strides across rows, many times slower than its product of untransposed operands,
 * and every dense layer's gradient has two such products (figures: bench/README.md, issue 20's
 * trace section).
 * Here a transposed operand is first copied transposed by the stock Transpose kernel, then the
 * stock kernel multiplies untransposed operands. The same product, summed in the stock kernel's
 * other order: float32 rounding may differ in the last bits.
 *
 * The kernels are called directly, not through the engine, so a traced program (traceProgram.ts)
 * still sees one BatchMatMul with its transpose attributes.
 */

interface WasmBackend {
  disposeData(dataId: unknown): void;
}

let installed = false;

export function installFastWasmMatMul(): void {
  if (installed) return;
  const stock = tf.getKernel('BatchMatMul', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!stock || !transpose) return;
  installed = true;
  const kernelFunc: tf.KernelFunc = (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    if ((!transposeA && !transposeB) || a.dtype !== 'float32' || b.dtype !== 'float32') return stock.kernelFunc(args);
    const backend = args.backend as unknown as WasmBackend;
    const temps: tf.TensorInfo[] = [];
    const untransposed = (t: tf.TensorInfo, transposed: boolean): tf.TensorInfo => {
      if (!transposed) return t;
      const rank = t.shape.length;
      const perm = [...Array(rank - 2).keys(), rank - 1, rank - 2];
      const copy = transpose.kernelFunc({ inputs: { x: t }, backend: args.backend, attrs: { perm } }) as tf.TensorInfo;
      temps.push(copy);
      return copy;
    };
    try {
      return stock.kernelFunc({
        inputs: { a: untransposed(a, transposeA), b: untransposed(b, transposeB) },
        backend: args.backend,
        attrs: { ...args.attrs, transposeA: false, transposeB: false },
      });
    } finally {
      for (const t of temps) backend.disposeData(t.dataId);
    }
  };
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({ ...stock, kernelFunc });
}
