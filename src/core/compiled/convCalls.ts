/**
 * 2-D convolutions and their gradients (Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter: all the
 * tracer sees of tf.conv2d, its gradient and its gradient's gradient) lowered to calls of
 * convKernels.ts, as standaloneCalls.ts lowers matMul. The geometry (output size, padding) is what
 * TensorFlow.js's own computeConv2DInfo decides, so 'same', 'valid', explicit padding, strides and
 * dilations mean what they mean there. Each call gets its scratch buffers here, once.
 */
import * as tf from '@tensorflow/tfjs';
import type { ConvEpilogue } from './convEpilogues';
import type { InputGradientEpilogue } from './inputGradientEpilogues';
import { geometryOfInfo, patchesFloats, type ConvGeometry } from './convKernels';
import { inputGradientScratchFloats } from './inputGradientWasm';
import type { LoopFuser } from './loopFuser';
import { NotCompilable, sizeOf, type KernelNode, type ValueId } from './program';
import type { CallArgument } from './schedule';
import type { ValueGraph } from './valueGraph';

export const CONV_NODES = new Set(['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter']);

type Shape4 = [number, number, number, number];
type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;

/**
 * Per program being fused: the patches buffer of each forward convolution, by its input (root) and
 * geometry. The filter's gradient needs the same patches, and a run computes the forward first.
 */
const forwardPatches = new WeakMap<LoopFuser, Map<string, number>>();

/**
 * `epilogue`: a Conv2D's bias and relu, computed by its product (convEpilogues.ts), or a Conv2DBackpropInput's
 * relu and bias gradients, computed as it stores dx (inputGradientEpilogues.ts).
 */
export function lowerConv(fuser: LoopFuser, node: KernelNode, epilogue?: ConvEpilogue | InputGradientEpilogue): void {
  const input = (name: string): ValueId => {
    const found = node.inputs.find((i) => i.name === name);
    if (!found) throw new NotCompilable(`${node.kernel} without its input '${name}'`);
    return found.value;
  };
  const g = convGeometryOf(fuser.graph, node);
  const taps = g[7] * g[8] * g[3];
  const pixels = g[0] * g[4] * g[5];
  const names = node.kernel === 'Conv2D' ? ['x', 'filter'] : node.kernel === 'Conv2DBackpropInput' ? ['dy', 'filter'] : ['x', 'dy'];
  const bias = epilogue?.kind === 'forward' ? epilogue.bias : undefined;
  const extra = bias ?? (epilogue?.kind === 'inputGradient' ? epilogue.mask : undefined);
  const reads = extra === undefined ? node : { ...node, inputs: [...node.inputs, { name: 'epilogue', value: extra }] };
  if (fuser.dependsOnOpen(reads)) fuser.closeLoop();
  fuser.beforeOpenLoops(() => {
    const [first, second] = names.map((name) => ({ buffer: fuser.materialize(input(name)) }));
    const out = fuser.graph.root(epilogue ? epilogue.result : node.outputs[0]);
    const buf = fuser.storageFor(out);
    if (!forwardPatches.has(fuser)) forwardPatches.set(fuser, new Map());
    const known = forwardPatches.get(fuser) as Map<string, number>;
    const key = node.kernel === 'Conv2DBackpropInput' ? undefined : `${fuser.graph.root(input('x'))}|${g.join(',')}`;
    // Calls run in the order they are lowered (beforeOpenLoops): the forward's, lowered first, ran.
    const reused = node.kernel === 'Conv2DBackpropFilter' && key !== undefined ? known.get(key) : undefined;
    // The input gradient's buffer holds its patches, or its epilogue's partial sums where it runs without them.
    const patchesSize = node.kernel === 'Conv2DBackpropInput' ? Math.max(pixels * taps, inputGradientScratchFloats(g)) : patchesFloats(g);
    const patches = reused ?? fuser.addBuffer({ size: patchesSize, role: 'temp' });
    if (node.kernel === 'Conv2D' && key !== undefined && !known.has(key)) known.set(key, patches);
    const args: CallArgument[] = [first, second, { buffer: buf }, { buffer: patches }];
    if (node.kernel === 'Conv2DBackpropInput') args.push({ buffer: fuser.addBuffer({ size: taps * g[6], role: 'temp' }) });
    if (node.kernel === 'Conv2DBackpropFilter') args.push(reused !== undefined);
    const kernel = node.kernel === 'Conv2D' ? 'conv2d' : node.kernel === 'Conv2DBackpropInput' ? 'conv2dBackpropInput' : 'conv2dBackpropFilter';
    // The geometry as a constant buffer: an array literal in the generated code would be a new array every run.
    const geometry = { buffer: fuser.addBuffer({ size: g.length, role: 'constant', init: Float32Array.from(g) }) };
    fuser.emit({ kind: 'call', kernel, args: [...args, geometry, ...(epilogue ? epilogueArguments(fuser, epilogue) : [])] });
    fuser.place(out, { kind: 'buffer', buf });
  });
}

/**
 * conv2d's optional last two: the bias buffer (false: none) and whether to take the relu; conv2dBackpropInput's
 * last three: the mask's buffer, the sums' (false: none, else placed there) and Step's alpha.
 */
function epilogueArguments(fuser: LoopFuser, epilogue: ConvEpilogue | InputGradientEpilogue): CallArgument[] {
  if (epilogue.kind === 'forward') return [epilogue.bias === undefined ? false : { buffer: fuser.materialize(epilogue.bias) }, epilogue.relu];
  const mask = { buffer: fuser.materialize(epilogue.mask) };
  if (epilogue.sums === undefined) return [mask, false, epilogue.alpha];
  const sums = fuser.graph.root(epilogue.sums);
  const buf = fuser.storageFor(sums);
  fuser.place(sums, { kind: 'buffer', buf });
  return [mask, { buffer: buf }, epilogue.alpha];
}

/** Convolutions compile on float32 images laid out [n, h, w, c] only (NHWC, TensorFlow.js's default). */
export function refuseUnlessNhwcFloat32(fuser: LoopFuser, node: KernelNode): void {
  refuseUnlessNhwcFloat32In(fuser.graph, node);
}

function refuseUnlessNhwcFloat32In(graph: ValueGraph, node: KernelNode): void {
  const attrs = node.attrs;
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') throw new NotCompilable(`${node.kernel} with data format ${String(attrs.dataFormat)} (only NHWC compiles)`);
  for (const { value } of node.inputs) {
    if (graph.dtypeOf(value) !== 'float32') throw new NotCompilable(`${node.kernel} of a ${graph.dtypeOf(value)} tensor`);
  }
}

/** The convolution node's ConvGeometry, from the shapes traced and its attributes (NotCompilable where it cannot compile). */
export function convGeometryOf(graph: ValueGraph, node: KernelNode): ConvGeometry {
  const attrs = node.attrs;
  refuseUnlessNhwcFloat32In(graph, node);
  const input = (name: string): ValueId => {
    const found = node.inputs.find((i) => i.name === name);
    if (!found) throw new NotCompilable(`${node.kernel} without its input '${name}'`);
    return found.value;
  };
  const shape = (id: ValueId) => graph.shapeOf(id) as Shape4;
  const xShape = node.kernel === 'Conv2DBackpropInput' ? (attrs.inputShape as Shape4) : shape(input('x'));
  const filterShape = node.kernel === 'Conv2DBackpropFilter' ? (attrs.filterShape as Shape4) : shape(input('filter'));
  if (xShape.length !== 4 || filterShape.length !== 4) throw new NotCompilable(`${node.kernel} of rank ${xShape.length} (batched images [n, h, w, c] compile)`);
  // tfjs's gradients of conv2d refuse dilations above 1, so only the forward kernel has them.
  const dilations = node.kernel === 'Conv2D' ? (attrs.dilations as number | [number, number]) : 1;
  const rounding = attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined;
  const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, attrs.strides as number | [number, number], dilations, attrs.pad as Pad, rounding, false, 'channelsLast');
  const outShape = graph.shapeOf(node.outputs[0]);
  const expected = node.kernel === 'Conv2D' ? info.outShape : node.kernel === 'Conv2DBackpropInput' ? xShape : filterShape;
  if (sizeOf(outShape) !== sizeOf(expected)) throw new NotCompilable(`${node.kernel}: output [${outShape.join(', ')}] is not the geometry's [${expected.join(', ')}]`);
  return geometryOfInfo(info);
}
