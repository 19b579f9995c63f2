import * as tf from '@tensorflow/tfjs';
import { wasmSumColumns } from './wasmColumnSums';
import { heapMemoryOf } from './wasmHeapMemory';
import { replaceWasmKernel, type WasmHeapBackend } from './wasmKernelSwap';

/**
 * Sum and Mean kernels for the wasm backend that reduce leading axes in place. TF.js 4.22's wasm kernels
 * reduce only innermost axes, so a reduction keeping the last axis (a bias gradient, tf.moments over
 * [0, 1, 2]: five Sums and two Means of each batch-norm layer's activations per evaluation) first
 * transposes its input to a fresh buffer. Here x is read as [rows, cols] (reduced axes, then kept axes)
 * and each column summed down the rows, in WebAssembly SIMD on the backend's heap (wasmColumnSums.ts),
 * else in JS eight columns at a time.
 * The same numbers: each column is summed in the stock kernel's order (row after row from 0, one float32
 * rounding per addition, Math.fround here), and a mean divides that float32 sum by the row count as the
 * stock kernel does. Other axes, fewer than MIN_COLS kept numbers (the stock transpose is cheap there),
 * empty tensors and dtypes other than float32 go to the stock kernels.
 */

interface ReduceAttrs {
  axis: number | number[];
  keepDims: boolean;
}

const MIN_COLS = 16;

export function installFastWasmReductions(): void {
  replaceWasmKernel('Sum', (stock) => reduction(stock, false));
  replaceWasmKernel('Mean', (stock) => reduction(stock, true));
}

/** Sum or Mean over leading axes as column sums on the heap; the stock kernel for the rest. */
function reduction(stock: tf.KernelConfig, mean: boolean): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { axis, keepDims } = args.attrs as unknown as ReduceAttrs;
    const split = x.dtype === 'float32' ? leadingSplit(x.shape, tf.util.parseAxisParam(axis, x.shape)) : undefined;
    if (!split || split.cols < MIN_COLS || split.rows === 0) return stock.kernelFunc(args);
    const wasm = args.backend as unknown as WasmHeapBackend;
    const out = wasm.makeOutput(keepDims ? split.keptDims : split.kept, 'float32');
    // After makeOutput: the heap may have grown, which detaches earlier views.
    const [values, sums] = [wasm.typedArrayFromHeap(x) as Float32Array, wasm.typedArrayFromHeap(out) as Float32Array];
    const memory = heapMemoryOf(wasm);
    if (!memory || !wasmSumColumns(memory, values, sums, split.rows, split.cols)) sumColumns(values, sums, split.rows, split.cols);
    // The stock kernel divides by the row count as a float32 (exact below 2²⁴ rows).
    const count = Math.fround(split.rows);
    if (mean) for (let c = 0; c < split.cols; c++) sums[c] /= count;
    return out;
  };
}

/**
 * x as [rows, cols] when every reduced axis longer than 1 comes before every kept axis longer than 1;
 * the output shape without the reduced axes, and with them as 1 (keepDims).
 */
export function leadingSplit(shape: readonly number[], axes: readonly number[]): { rows: number; cols: number; kept: number[]; keptDims: number[] } | undefined {
  const reduced = (k: number) => axes.includes(k);
  const lastReduced = shape.reduce((last, d, k) => (reduced(k) && d !== 1 ? k : last), -1);
  if (shape.some((d, k) => !reduced(k) && d !== 1 && k < lastReduced)) return undefined;
  const rows = shape.reduce((n, d, k) => (reduced(k) ? n * d : n), 1);
  const kept = shape.filter((_, k) => !reduced(k));
  return { rows, cols: kept.reduce((n, d) => n * d, 1), kept, keptDims: shape.map((d, k) => (reduced(k) ? 1 : d)) };
}

/** sums[c] = x[0, c] + x[1, c] + … in that order, each addition rounded to float32. */
export function sumColumns(x: Float32Array, sums: Float32Array, rows: number, cols: number): void {
  let c = 0;
  for (; c + 8 <= cols; c += 8) sumEightColumns(x, sums, rows, cols, c);
  for (; c < cols; c++) {
    let s = 0;
    for (let r = 0, at = c; r < rows; r++, at += cols) s = Math.fround(s + x[at]);
    sums[c] = s;
  }
}

/** Columns c … c + 7: eight independent chains of additions, so one's latency hides behind the others. */
function sumEightColumns(x: Float32Array, sums: Float32Array, rows: number, cols: number, c: number): void {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
  for (let r = 0, at = c; r < rows; r++, at += cols) {
    s0 = Math.fround(s0 + x[at]);
    s1 = Math.fround(s1 + x[at + 1]);
    s2 = Math.fround(s2 + x[at + 2]);
    s3 = Math.fround(s3 + x[at + 3]);
    s4 = Math.fround(s4 + x[at + 4]);
    s5 = Math.fround(s5 + x[at + 5]);
    s6 = Math.fround(s6 + x[at + 6]);
    s7 = Math.fround(s7 + x[at + 7]);
  }
  sums[c] = s0;
  sums[c + 1] = s1;
  sums[c + 2] = s2;
  sums[c + 3] = s3;
  sums[c + 4] = s4;
  sums[c + 5] = s5;
  sums[c + 6] = s6;
  sums[c + 7] = s7;
}
