/**
 * Stage 3 of compileProgram: fusion. Walks the needed kernels in program
 * order and decides where each value lives and which loop computes it:
 *
 * - one loop stays open; an elementwise kernel or a reduction over as many
 *   elements joins it when it can read every operand there (a literal, a
 *   buffer through an index pattern, a local of that same loop at the same
 *   index, or a value of a loop open before it, which runs first: read from
 *   where that loop stores it), and its result is a local of the loop;
 * - a loop-shaped kernel of another size that does not depend on the open
 *   loop gets a loop emitted before it (so the open one keeps fusing); one
 *   that reads only the open loop's sums gets a loop after it, the open one
 *   staying open before it; one that reads its other values closes it;
 * - closing a loop stores the locals something outside it reads (into the
 *   caller's output array when the value is an output) and drops the others;
 * - views are index maps read in place; matMul, concat and softmax are calls
 *   on whole buffers;
 * - kernels are taken in the trace's order but for a convolution's filter
 *   gradient, which goes before its input gradient (convGradientOrder.ts).
 *
 * The result is a Schedule: buffers, index maps and steps, for generateCode.ts.
 */
import { lowerBatchNorm } from './batchNormLoop';
import { CONSTANT_KERNELS, lowerConstant } from './constantKernels';
import { CONV_NODES, lowerConv } from './convCalls';
import { convEpilogues, type ConvEpilogue } from './convEpilogues';
import { loweringOrder } from './convGradientOrder';
import { DEPTHWISE_NODES, lowerDepthwise } from './depthwiseCalls';
import { isElementwise } from './elementwiseKernels';
import { inputGradientEpilogues, type InputGradientEpilogue } from './inputGradientEpilogues';
import { LoopFuser } from './loopFuser';
import { REDUCTIONS, lowerDynamicGather, lowerElementwise, lowerOneHot, lowerReduction, lowerSegmentSum } from './loopKernels';
import { POOL_NODES, lowerPool } from './poolCalls';
import { isLargeProduct, lowerProduct } from './productCalls';
import type { KernelNode } from './program';
import type { Schedule } from './schedule';
import { lowerStandalone } from './standaloneCalls';
import type { ValueGraph } from './valueGraph';
import { VIEWS, lowerSplit, lowerStridedSlice, lowerView } from './viewKernels';

export function fuseLoops(graph: ValueGraph, squaredNormOf: readonly number[] = []): Schedule {
  const fuser = new LoopFuser(graph, squaredNormOf);
  const epilogues = new Map<number, ConvEpilogue | InputGradientEpilogue>([...convEpilogues(graph), ...inputGradientEpilogues(graph)]);
  const absorbed = new Set([...epilogues.values()].flatMap((e) => e.absorbed));
  for (const index of loweringOrder(graph)) {
    if (graph.isNeeded(index) && !absorbed.has(index)) lower(fuser, graph.program.nodes[index], index, epilogues.get(index));
  }
  return fuser.finish();
}

/** Hands node `index` to the lowering for its kind of kernel (a convolution with its epilogue, if any). */
function lower(fuser: LoopFuser, node: KernelNode, index: number, epilogue?: ConvEpilogue | InputGradientEpilogue): void {
  const kernel = node.kernel;
  if (CONSTANT_KERNELS.has(kernel)) lowerConstant(fuser, node);
  else if (kernel === 'GatherV2' && !fuser.knownNow(node.inputs[1].value)) lowerDynamicGather(fuser, node, index);
  else if (VIEWS.has(kernel)) lowerView(fuser, node);
  else if (kernel === 'SplitV' || kernel === 'Unpack') lowerSplit(fuser, node);
  else if (kernel === 'StridedSlice') lowerStridedSlice(fuser, node);
  else if (kernel === 'OneHot') lowerOneHot(fuser, node, index);
  else if (REDUCTIONS.has(kernel)) lowerReduction(fuser, node, index);
  else if (kernel === 'UnsortedSegmentSum') lowerSegmentSum(fuser, node, index);
  else if (kernel === 'FusedBatchNorm') lowerBatchNorm(fuser, node, index);
  else if (kernel === 'Cast' || isElementwise(kernel)) lowerElementwise(fuser, node, index);
  else if (CONV_NODES.has(kernel)) lowerConv(fuser, node, epilogue);
  else if (POOL_NODES.has(kernel)) lowerPool(fuser, node);
  else if (DEPTHWISE_NODES.has(kernel)) lowerDepthwise(fuser, node);
  else if (isLargeProduct(fuser.graph, node)) lowerProduct(fuser, node);
  else lowerStandalone(fuser, node);
}
