/**
 * tf.batchNorm's kernel (FusedBatchNorm) as one elementwise statement of a fused loop:
 * offset + (x − mean)·k with k = scale / √(variance + ε), in float32 (elementwiseIR.ts's FusedBatchNorm
 * entry). k is one value per channel, which the vector loop computes once per block of channels
 * (../wasm/periodicValues.ts), so an element costs a subtraction, a multiplication and an addition in float32
 * lanes. The cpu kernel computes offset + (x − mean)·scale / √(variance + ε) in float64 and rounds once,
 * which in the vector loop meant float64 lanes and a division per element, twice the time of the whole
 * float32 statement; the float32 form stays within 5·2⁻²⁴ of that value relative to |offset| + |normalised
 * x| (four roundings more), PyTorch's kernel also takes a per-channel factor, and TensorFlow.js's wasm
 * kernel is itself not the cpu kernel's bits (it differs in about 40 % of elements). Training mode needs nothing more: the batch
 * statistics are tf.moments (means over axes, fused reductions) and tfjs's gradient of this kernel is
 * written with elementwise ops, sums over axes, tiles and reshapes, all of which compile.
 */
import { lit, type Expr } from '../wasm/loopIR';
import { NOT_HERE, type LoopFuser } from './loopFuser';
import { NotCompilable, sizeOf, type KernelNode, type ValueId } from './program';

/** The statement's operands in order; a missing offset reads 0 and a missing scale 1 (the kernel's defaults). */
const OPERANDS: readonly { readonly name: string; readonly missing?: number }[] = [
  { name: 'x' }, { name: 'mean' }, { name: 'variance' }, { name: 'offset', missing: 0 }, { name: 'scale', missing: 1 },
];

export function lowerBatchNorm(fuser: LoopFuser, node: KernelNode, index: number): void {
  const { graph } = fuser;
  const out = node.outputs[0];
  const shape = graph.shapeOf(out);
  const operand = (name: string): ValueId | undefined => node.inputs.find((i) => i.name === name)?.value;
  for (const { name } of OPERANDS.slice(1)) {
    const id = operand(name);
    if (id !== undefined && !readsTrailing(graph.shapeOf(id), shape)) {
      throw new NotCompilable(`batchNorm with a ${name} of shape [${graph.shapeOf(id).join(', ')}] over x [${shape.join(', ')}] (it repeats along x's flat elements, not as a broadcast)`);
    }
  }
  fuser.inLoop(node, sizeOf(shape), (loop) => {
    const args: Expr[] = [];
    for (const { name, missing } of OPERANDS) {
      const id = operand(name);
      const read = id === undefined ? lit(missing ?? 0) : fuser.read(id, shape, loop);
      if (read === NOT_HERE) return false;
      args.push(read);
    }
    fuser.addLocal(loop, out, index, (local) => ({ kind: 'elementwise', local, kernel: node.kernel, attrs: node.attrs, args, int32: false }));
    return true;
  });
}

/**
 * Whether a statistic of this shape, read at flat index i mod its size (the cpu kernel's rule), is
 * its broadcast over x: its shape without leading ones is x's last dimensions.
 */
function readsTrailing(statShape: readonly number[], xShape: readonly number[]): boolean {
  const first = statShape.findIndex((d) => d !== 1);
  const core = first < 0 ? [] : statShape.slice(first);
  if (core.length > xShape.length) return false;
  return core.every((d, k) => d === xShape[xShape.length - core.length + k]);
}
