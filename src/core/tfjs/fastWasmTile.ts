import type * as tf from '@tensorflow/tfjs';
import { replaceWasmKernel, type WasmHeapBackend } from './wasmKernelSwap';

/**
 * A Tile kernel for the wasm backend that copies rows. TF.js 4.22's wasm Tile computes every output
 * element's source index in a generic loop, a large share of examples/smallCnn.ts' TF.js evaluation
 * (its batch-norm gradient tiles [1, 1, 1, 8] to [32, 12, 12, 8]), paid by each trace of a compile and
 * each tensor-path step (figures: bench/README.md, issue 20). Here each output row
 * along the last axis is the input's row copied `reps` times; where x's leading axes have length 1 (a
 * broadcast statistic's [1, 1, 1, C]) only the first copy of the rest is built row by row, and the
 * output is that block repeated by doubling copies ([1, 1, 1, 16] to [32, 16, 16, 16]: 0.32 -> 0.014 ms).
 * A copy: the same values.
 * Strings and complex numbers go to the stock kernel.
 */

export function installFastWasmTile(): void {
  replaceWasmKernel('Tile', (stock) => (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const reps = (args.attrs as unknown as { reps: number[] }).reps;
    if (x.dtype === 'string' || x.dtype === 'complex64' || x.shape.length === 0 || reps.length !== x.shape.length) return stock.kernelFunc(args);
    const wasm = args.backend as unknown as WasmHeapBackend;
    const out = wasm.makeOutput(x.shape.map((d, k) => d * reps[k]), x.dtype);
    // After makeOutput: the heap may have grown, which detaches earlier views.
    const values = wasm.typedArrayFromHeap(out);
    // x's leading length-1 axes (the last axis always built by rows): the rest tiled once, then repeated.
    let lead = 0;
    while (lead < x.shape.length - 1 && x.shape[lead] === 1) lead++;
    const block = x.shape.slice(lead).reduce((n, d, k) => n * d * reps[lead + k], 1);
    tileRows(wasm.typedArrayFromHeap(x), x.shape.slice(lead), reps.slice(lead), values.subarray(0, block));
    repeatBlock(values, block);
    return out;
  });
}

/** out = its first `block` numbers repeated, in doubling copies. */
function repeatBlock(out: Float32Array | Int32Array | Uint8Array, block: number): void {
  if (block === 0) return;
  for (let filled = block; filled < out.length; filled *= 2) out.copyWithin(filled, 0, Math.min(filled, out.length - filled));
}

/** out = tile(x, reps), row by row along the last axis (x's row, then copies of it); shape of rank ≥ 1. */
export function tileRows(x: ArrayLike<number>, shape: readonly number[], reps: readonly number[], out: { [i: number]: number; readonly length: number }): void {
  const rank = shape.length;
  const row = shape[rank - 1];
  const outRow = row * reps[rank - 1];
  if (outRow === 0 || out.length === 0) return;
  const outShape = shape.map((d, k) => d * reps[k]);
  // x's element strides on the outer axes.
  const strides = new Array<number>(rank).fill(1);
  for (let k = rank - 2; k >= 0; k--) strides[k] = strides[k + 1] * shape[k + 1];
  const index = new Array<number>(Math.max(0, rank - 1)).fill(0);
  for (let at = 0; at < out.length; at += outRow) {
    let from = 0;
    for (let k = 0; k < rank - 1; k++) from += (index[k] % shape[k]) * strides[k];
    for (let j = 0; j < row; j++) out[at + j] = x[from + j];
    for (let j = row; j < outRow; j++) out[at + j] = out[at + j - row];
    for (let k = rank - 2; k >= 0; k--) {
      if (++index[k] < outShape[k]) break;
      index[k] = 0;
    }
  }
}
