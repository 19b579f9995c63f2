/**
 * 2-D max and average pooling and their gradients (MaxPool, MaxPoolGrad, AvgPool, AvgPoolGrad: all
 * the tracer sees of tf.maxPool and tf.avgPool and their gradients; second derivatives add our
 * MaxPoolGradGrad and AvgPool again, ../tfjs/poolSecondOrder.ts) lowered to calls of poolKernels.ts,
 * as convCalls.ts lowers convolutions. The geometry (output size, padding) is what TensorFlow.js's
 * own computePool2DInfo decides.
 */
import * as tf from '@tensorflow/tfjs';
import type { LoopFuser } from './loopFuser';
import type { PoolGeometry } from './poolKernels';
import { NotCompilable, sizeOf, type KernelNode, type ValueId } from './program';
import type { CallArgument } from './schedule';

export const POOL_NODES = new Set(['MaxPool', 'MaxPoolGrad', 'MaxPoolGradGrad', 'AvgPool', 'AvgPoolGrad']);

type Shape4 = [number, number, number, number];
type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;

/** The kernel's inputs the call reads, in the call's order (the max pool's gradient finds the maxima in x again, as tfjs does). */
const CALL_INPUTS: Record<string, { readonly kernel: 'maxPool' | 'maxPoolGrad' | 'maxPoolGradGrad' | 'avgPool' | 'avgPoolGrad'; readonly inputs: readonly string[] }> = {
  MaxPool: { kernel: 'maxPool', inputs: ['x'] },
  MaxPoolGrad: { kernel: 'maxPoolGrad', inputs: ['dy', 'input'] },
  // Our kernel (src/core/tfjs/poolSecondOrder.ts): MaxPoolGrad's gradient in its upstream gradient.
  MaxPoolGradGrad: { kernel: 'maxPoolGradGrad', inputs: ['grad', 'input'] },
  AvgPool: { kernel: 'avgPool', inputs: ['x'] },
  AvgPoolGrad: { kernel: 'avgPoolGrad', inputs: ['dy'] },
};

export function lowerPool(fuser: LoopFuser, node: KernelNode): void {
  const input = (name: string): ValueId => {
    const found = node.inputs.find((i) => i.name === name);
    if (!found) throw new NotCompilable(`${node.kernel} without its input '${name}'`);
    return found.value;
  };
  const { kernel, inputs } = CALL_INPUTS[node.kernel];
  const g = geometryOf(fuser, node, input);
  if (fuser.dependsOnOpen(node)) fuser.closeLoop();
  fuser.beforeOpenLoops(() => {
    const args: CallArgument[] = inputs.map((name) => ({ buffer: fuser.materialize(input(name)) }));
    const out = fuser.graph.root(node.outputs[0]);
    const buf = fuser.storageFor(out);
    // The geometry as a constant buffer: an array literal in the generated code would be a new array every run.
    const geometry = { buffer: fuser.addBuffer({ size: g.length, role: 'constant', init: Float32Array.from(g) }) };
    fuser.emit({ kind: 'call', kernel, args: [...args, { buffer: buf }, geometry] });
    fuser.place(out, { kind: 'buffer', buf });
  });
}

/** The call's PoolGeometry, from the shapes traced and the node's attributes. */
function geometryOf(fuser: LoopFuser, node: KernelNode, input: (name: string) => ValueId): PoolGeometry {
  const attrs = node.attrs;
  for (const { value } of node.inputs) {
    if (fuser.graph.dtypeOf(value) !== 'float32') throw new NotCompilable(`${node.kernel} of a ${fuser.graph.dtypeOf(value)} tensor`);
  }
  const xShape = fuser.graph.shapeOf(input(node.kernel === 'MaxPool' || node.kernel === 'AvgPool' ? 'x' : 'input')) as Shape4;
  if (xShape.length !== 4) throw new NotCompilable(`${node.kernel} of rank ${xShape.length} (batched images [n, h, w, c] compile)`);
  const rounding = attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined;
  const info = tf.backend_util.computePool2DInfo(xShape, attrs.filterSize as number | [number, number], attrs.strides as number | [number, number], 1, attrs.pad as Pad, rounding);
  const outShape = fuser.graph.shapeOf(node.outputs[0]);
  const expected = node.kernel === 'MaxPoolGrad' || node.kernel === 'AvgPoolGrad' ? xShape : info.outShape;
  if (sizeOf(outShape) !== sizeOf(expected)) throw new NotCompilable(`${node.kernel}: output [${outShape.join(', ')}] is not the geometry's [${expected.join(', ')}]`);
  return poolGeometry(info);
}

/** The geometry poolKernels.ts reads, from tfjs's own computePool2DInfo. */
export function poolGeometry(info: tf.backend_util.Conv2DInfo): number[] {
  return [
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left,
  ];
}
