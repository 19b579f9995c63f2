import * as tf from '@tensorflow/tfjs';

/**
 * Kernels the wasm backend of TensorFlow.js 4.22 lacks but objectives need.
 * Without UnsortedSegmentSum, the gradient of `gather` (how users pick `p.gather(0)`)
 * throws "Kernel 'UnsortedSegmentSum' not registered for backend 'wasm'".
 */

/** The part of the wasm backend's API these kernels use. */
interface WasmHeapBackend {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

let registered = false;

export function registerMissingWasmKernels(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const wasm = backend as unknown as WasmHeapBackend;
      const x = inputs.x as tf.TensorInfo;
      const segmentIds = inputs.segmentIds as tf.TensorInfo;
      const numSegments = (attrs as { numSegments: number }).numSegments;
      const inner = x.shape.slice(1).reduce((a, b) => a * b, 1);
      const out = wasm.makeOutput([numSegments, ...x.shape.slice(1)], x.dtype);
      const xs = wasm.typedArrayFromHeap(x);
      const ids = wasm.typedArrayFromHeap(segmentIds);
      const sums = wasm.typedArrayFromHeap(out);
      sums.fill(0);
      for (let i = 0; i < ids.length; i++) {
        const s = ids[i];
        if (s < 0 || s >= numSegments) continue; // tf semantics: out-of-range ids are dropped
        for (let j = 0; j < inner; j++) sums[s * inner + j] += xs[i * inner + j];
      }
      return out;
    },
  });
}
