/**
 * 2-D matrix products large enough that the backend's kernel used to beat plain JS (a dense layer
 * of a CNN: [32, 2048]·[2048, 10] and its gradients) lowered to productKernels.ts's `product`, which
 * runs them as WebAssembly SIMD over the program's memory. Batched or broadcast products, and small
 * ones, stay with standaloneCalls.ts.
 */
import type { LoopFuser } from './loopFuser';
import { sizeOf, type KernelNode } from './program';
import { BACKEND_MATMUL_MIN } from './backendProduct';
import type { ValueGraph } from './valueGraph';

interface Product {
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly transA: boolean;
  readonly transB: boolean;
}

function productOf(graph: ValueGraph, node: KernelNode): Product | undefined {
  if (node.kernel !== 'BatchMatMul') return undefined;
  const [aShape, bShape] = node.inputs.map((input) => graph.shapeOf(input.value));
  const outShape = graph.shapeOf(node.outputs[0]);
  const transA = node.attrs.transposeA === true;
  const transB = node.attrs.transposeB === true;
  const m = outShape[outShape.length - 2];
  const n = outShape[outShape.length - 1];
  const k = transA ? aShape[aShape.length - 2] : aShape[aShape.length - 1];
  // One matrix on each side (every batch dimension 1).
  if (sizeOf(outShape) !== m * n || sizeOf(aShape) !== m * k || sizeOf(bShape) !== k * n) return undefined;
  return { m, k, n, transA, transB };
}

/** Whether `node` is a single large product that `lowerProduct` takes. */
export function isLargeProduct(graph: ValueGraph, node: KernelNode): boolean {
  const p = productOf(graph, node);
  return p !== undefined && p.m * p.k * p.n >= BACKEND_MATMUL_MIN;
}

export function lowerProduct(fuser: LoopFuser, node: KernelNode): void {
  const p = productOf(fuser.graph, node) as Product;
  if (fuser.dependsOnOpen(node)) fuser.closeLoop();
  fuser.beforeOpenLoops(() => {
    const [a, b] = node.inputs.map((input) => ({ buffer: fuser.materialize(input.value) }));
    const out = fuser.graph.root(node.outputs[0]);
    const buf = fuser.storageFor(out);
    const scratch = { buffer: fuser.addBuffer({ size: p.transB ? p.k * p.n : 0, role: 'temp' }) };
    fuser.emit({ kind: 'call', kernel: 'product', args: [a, b, { buffer: buf }, scratch, p.m, p.k, p.n, p.transA, p.transB] });
    fuser.place(out, { kind: 'buffer', buf });
  });
}
