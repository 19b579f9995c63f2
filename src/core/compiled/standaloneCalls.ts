/**
 * Kernels that are neither elementwise nor views (matMul, concat, stack,
 * softmax, cumulative sums and products), lowered to calls of
 * standaloneKernels.ts on whole buffers (stage 3 of compileProgram). Their
 * inputs are made buffers first; a call that does not depend on the open
 * loop goes before it, so the loop stays open for the kernels after.
 */
import type { LoopFuser } from './loopFuser';
import { NotCompilable, axesOf, sizeOf, type KernelNode } from './program';
import type { CallArgument, Step } from './schedule';

const STANDALONE_KERNELS = new Set(['BatchMatMul', 'Concat', 'Pack', 'Softmax', 'Cumsum', 'Cumprod']);

export function lowerStandalone(fuser: LoopFuser, node: KernelNode): void {
  if (!STANDALONE_KERNELS.has(node.kernel)) throw new NotCompilable(`kernel ${node.kernel} has no plain-JS version`);
  if (fuser.dependsOnOpen(node)) fuser.closeLoop();
  fuser.beforeOpenLoops(() => {
    const inputs = node.inputs.map((input) => fuser.materialize(input.value));
    const out = fuser.graph.root(node.outputs[0]);
    const buf = fuser.storageFor(out);
    fuser.emit(callOf(fuser, node, inputs, buf));
    fuser.place(out, { kind: 'buffer', buf });
  });
}

function callOf(fuser: LoopFuser, node: KernelNode, inputs: readonly number[], out: number): Step {
  const outShape = fuser.graph.shapeOf(node.outputs[0]);
  const call = (kernel: 'batchMatMul' | 'concat' | 'cumulative' | 'softmax', args: CallArgument[]): Step => ({ kind: 'call', kernel, args });
  const [x, y] = inputs.map((buffer) => ({ buffer }));
  const attrs = node.attrs;
  switch (node.kernel) {
    case 'BatchMatMul':
      return call('batchMatMul', [x, y, { buffer: out }, ...matMulSizes(fuser, node, outShape)]);
    case 'Concat':
    case 'Pack': {
      // tf.stack is a concat along a new axis of size 1 per input (the same widths arithmetic).
      const axis = axesOf(attrs.axis, outShape.length)[0];
      const outer = sizeOf(outShape.slice(0, axis));
      const widths = node.inputs.map((input) => fuser.graph.sizeOf(input.value) / outer);
      return call('concat', [{ buffers: inputs }, widths, outer, { buffer: out }]);
    }
    case 'Cumsum':
    case 'Cumprod': {
      const axis = axesOf(attrs.axis, outShape.length)[0];
      const outer = sizeOf(outShape.slice(0, axis));
      const inner = sizeOf(outShape.slice(axis + 1));
      return call('cumulative', [x, { buffer: out }, outer, outShape[axis], inner, attrs.exclusive === true, attrs.reverse === true, node.kernel === 'Cumprod']);
    }
    default: {
      const dim = axesOf(attrs.dim ?? -1, outShape.length)[0];
      if (dim !== outShape.length - 1) throw new NotCompilable('softmax over an axis other than the last');
      return call('softmax', [x, { buffer: out }, outShape[outShape.length - 1]]);
    }
  }
}

/** batchMatMul's batches, aBatches, bBatches, m, k, n, transposeA, transposeB, and a scratch for bᵀ (empty without transposeB). */
function matMulSizes(fuser: LoopFuser, node: KernelNode, outShape: readonly number[]): CallArgument[] {
  const [aShape, bShape] = node.inputs.map((input) => fuser.graph.shapeOf(input.value));
  const transposeA = node.attrs.transposeA === true;
  const transposeB = node.attrs.transposeB === true;
  const m = outShape[outShape.length - 2];
  const n = outShape[outShape.length - 1];
  const k = transposeA ? aShape[aShape.length - 2] : aShape[aShape.length - 1];
  const batches = sizeOf(outShape) / (m * n);
  const aBatches = sizeOf(aShape) / (m * k);
  const bBatches = sizeOf(bShape) / (k * n);
  if ((aBatches !== 1 && aBatches !== batches) || (bBatches !== 1 && bBatches !== batches)) throw new NotCompilable('matMul with partly broadcast batch dimensions');
  const scratch = { buffer: fuser.addBuffer({ size: transposeB ? sizeOf(bShape) : 0, role: 'temp' }) };
  return [batches, aBatches, bBatches, m, k, n, transposeA, transposeB, scratch];
}
