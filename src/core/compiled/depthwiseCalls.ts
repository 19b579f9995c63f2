/**
 * Depthwise 2-D convolutions and their gradients (DepthwiseConv2dNative, …BackpropInput,
 * …BackpropFilter: all the tracer sees of tf.depthwiseConv2d and its gradient) lowered to calls of
 * depthwiseKernels.ts, as convCalls.ts lowers conv2d. The geometry is TensorFlow.js's own
 * computeConv2DInfo (depthwise), so strides, 'same'/'valid'/explicit padding and dilations mean
 * what they mean there. Every operand's size is checked against the geometry before a kernel may
 * index it, so a program traced at other shapes is refused rather than read out of range.
 */
import * as tf from '@tensorflow/tfjs';
import { refuseUnlessNhwcFloat32 } from './convCalls';
import type { ConvGeometry } from './convKernels';
import type { LoopFuser } from './loopFuser';
import { NotCompilable, sizeOf, type KernelNode, type ValueId } from './program';

export const DEPTHWISE_NODES = new Set(['DepthwiseConv2dNative', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter']);

type Shape4 = [number, number, number, number];
type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;

/** Per kernel: the call, its operands in the call's order. */
const CALLS: Record<string, { readonly kernel: 'depthwiseConv2d' | 'depthwiseConv2dBackpropInput' | 'depthwiseConv2dBackpropFilter'; readonly inputs: readonly [string, string] }> = {
  DepthwiseConv2dNative: { kernel: 'depthwiseConv2d', inputs: ['x', 'filter'] },
  DepthwiseConv2dNativeBackpropInput: { kernel: 'depthwiseConv2dBackpropInput', inputs: ['dy', 'filter'] },
  DepthwiseConv2dNativeBackpropFilter: { kernel: 'depthwiseConv2dBackpropFilter', inputs: ['x', 'dy'] },
};

export function lowerDepthwise(fuser: LoopFuser, node: KernelNode): void {
  const input = (name: string): ValueId => {
    const found = node.inputs.find((i) => i.name === name);
    if (!found) throw new NotCompilable(`${node.kernel} without its input '${name}'`);
    return found.value;
  };
  const { kernel, inputs } = CALLS[node.kernel];
  const g = geometryOf(fuser, node, input);
  if (fuser.dependsOnOpen(node)) fuser.closeLoop();
  fuser.beforeOpenLoops(() => {
    const args = inputs.map((name) => ({ buffer: fuser.materialize(input(name)) }));
    const out = fuser.graph.root(node.outputs[0]);
    const buf = fuser.storageFor(out);
    // The geometry as a constant buffer: an array literal in the generated code would be a new array every run.
    const geometry = { buffer: fuser.addBuffer({ size: g.length, role: 'constant', init: Float32Array.from(g) }) };
    fuser.emit({ kind: 'call', kernel, args: [...args, { buffer: buf }, geometry] });
    fuser.place(out, { kind: 'buffer', buf });
  });
}

/** The call's ConvGeometry (convKernels.ts's layout), from the shapes traced and the node's attributes. */
function geometryOf(fuser: LoopFuser, node: KernelNode, input: (name: string) => ValueId): ConvGeometry {
  const attrs = node.attrs;
  refuseUnlessNhwcFloat32(fuser, node);
  const shape = (id: ValueId) => fuser.graph.shapeOf(id) as Shape4;
  const backpropInput = node.kernel === 'DepthwiseConv2dNativeBackpropInput';
  const backpropFilter = node.kernel === 'DepthwiseConv2dNativeBackpropFilter';
  const xShape = backpropInput ? (attrs.inputShape as Shape4) : shape(input('x'));
  const filterShape = backpropFilter ? (attrs.filterShape as Shape4) : shape(input('filter'));
  if (xShape.length !== 4 || filterShape.length !== 4) throw new NotCompilable(`${node.kernel} of rank ${xShape.length} (batched images [n, h, w, c] compile)`);
  const dilations = (attrs.dilations ?? 1) as number | [number, number];
  const rounding = attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined;
  const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, attrs.strides as number | [number, number], dilations, attrs.pad as Pad, rounding, true, 'channelsLast');
  // TensorFlow.js's gradient kernels ignore dilations (its gradient refuses them), so ours do not take any.
  if (node.kernel !== 'DepthwiseConv2dNative' && (info.dilationHeight !== 1 || info.dilationWidth !== 1)) throw new NotCompilable(`${node.kernel} with dilations above 1`);
  const sizes: Record<string, number> = {
    x: sizeOf(xShape), filter: sizeOf(filterShape), dy: info.batchSize * info.outHeight * info.outWidth * info.outChannels,
  };
  for (const { name, value } of node.inputs) {
    if (sizes[name] !== undefined && sizeOf(fuser.graph.shapeOf(value)) !== sizes[name]) throw new NotCompilable(`${node.kernel}: input '${name}' [${fuser.graph.shapeOf(value).join(', ')}] does not fit the geometry`);
  }
  const expected = backpropInput ? sizes.x : backpropFilter ? sizes.filter : sizes.dy;
  const outShape = fuser.graph.shapeOf(node.outputs[0]);
  if (sizeOf(outShape) !== expected) throw new NotCompilable(`${node.kernel}: output [${outShape.join(', ')}] does not fit the geometry`);
  return [
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.outChannels,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth,
    info.padInfo.top, info.padInfo.left,
  ];
}
