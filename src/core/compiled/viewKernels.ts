/**
 * Kernels that only rearrange elements, lowered to views (stage 3 of
 * compileProgram, through the index maps of indexMaps.ts): slices, pads,
 * transposes, broadcasts, tiles, reverses, gathers at known indices, splits
 * and strided slices. A view is read in place by the loops that use it; a
 * view of a view composes the two maps.
 */
import * as tf from '@tensorflow/tfjs';
import {
  broadcastMap, classifyMap, composeMaps, forEachIndex, gatherMap, padMap, reverseMap, sliceMap, stridesOf, tileMap, transposeMap,
} from './indexMaps';
import type { LoopFuser } from './loopFuser';
import { NotCompilable, axesOf, sizeOf, type KernelNode, type ValueId } from './program';

export const VIEWS = new Set(['Slice', 'PadV2', 'Transpose', 'BroadcastTo', 'Tile', 'Reverse', 'GatherV2']);

/** One of VIEWS (GatherV2 with indices known at compile time: computed ones are lowerDynamicGather's). */
export function lowerView(fuser: LoopFuser, node: KernelNode): void {
  const x = node.inputs[0].value;
  const inShape = fuser.graph.shapeOf(x);
  const out = node.outputs[0];
  const outShape = fuser.graph.shapeOf(out);
  const attrs = node.attrs;
  if (node.kernel === 'PadV2') {
    setView(fuser, out, x, padMap(inShape, attrs.paddings as number[][], outShape), Math.fround(attrs.constantValue as number));
    return;
  }
  setView(fuser, out, x, viewMap(fuser, node, inShape, outShape), 0);
}

function viewMap(fuser: LoopFuser, node: KernelNode, inShape: readonly number[], outShape: readonly number[]): Int32Array {
  const attrs = node.attrs;
  switch (node.kernel) {
    case 'Slice': {
      const begin = Array.isArray(attrs.begin) ? (attrs.begin as number[]) : [attrs.begin as number];
      return sliceMap(inShape, inShape.map((_, d) => begin[d] ?? 0), outShape);
    }
    case 'Transpose':
      return transposeMap(inShape, attrs.perm as number[], outShape);
    case 'BroadcastTo':
      return broadcastMap(inShape, outShape);
    case 'Tile':
      return tileMap(inShape, outShape);
    case 'Reverse':
      return reverseMap(inShape, axesOf(attrs.dims, inShape.length));
    default:
      if (((attrs.batchDims as number) ?? 0) !== 0) throw new NotCompilable('gather with batchDims');
      return gatherMap(inShape, fuser.valuesNow(node.inputs[1].value), axesOf(attrs.axis, inShape.length)[0], outShape);
  }
}

/**
 * tf.split / the gradient of tf.concat, and tf.unstack / the gradient of tf.stack: every
 * output is a slice of x along the axis (unstack's drops the axis, same elements in the same order).
 */
export function lowerSplit(fuser: LoopFuser, node: KernelNode): void {
  const x = node.inputs[0].value;
  const inShape = fuser.graph.shapeOf(x);
  const axis = axesOf(node.attrs.axis ?? 0, inShape.length)[0];
  let offset = 0;
  for (const out of node.outputs) {
    const outShape = node.kernel === 'Unpack' ? inShape.map((n, d) => (d === axis ? 1 : n)) : fuser.graph.shapeOf(out);
    const begin = inShape.map((_, d) => (d === axis ? offset : 0));
    setView(fuser, out, x, sliceMap(inShape, begin, outShape), 0);
    offset += outShape[axis];
  }
}

/** tf.stridedSlice: element loc of the (unsqueezed) result reads x at begin + loc · strides, as the cpu kernel does. */
export function lowerStridedSlice(fuser: LoopFuser, node: KernelNode): void {
  const x = node.inputs[0].value;
  const inShape = fuser.graph.shapeOf(x);
  const attrs = node.attrs as Record<string, number[] & number>;
  const info = tf.slice_util.sliceInfo(
    [...inShape], attrs.begin, attrs.end, attrs.strides, attrs.beginMask, attrs.endMask, attrs.ellipsisMask, attrs.newAxisMask, attrs.shrinkAxisMask,
  );
  // The dense begin/end/strides have x's rank (shrunk axes have one element, new axes none).
  const shape = inShape.map((_, d) => Math.max(0, Math.ceil((info.end[d] - info.begin[d]) / info.strides[d])));
  if (info.begin.length !== inShape.length || sizeOf(shape) !== fuser.graph.sizeOf(node.outputs[0])) throw new NotCompilable('a strided slice this compiler does not understand');
  const strides = stridesOf(inShape);
  const map = new Int32Array(sizeOf(shape));
  forEachIndex(shape, (flat, loc) => (map[flat] = loc.reduce((at, l, d) => at + (l * info.strides[d] + info.begin[d]) * strides[d], 0)));
  setView(fuser, node.outputs[0], x, map, 0);
}

/** Whether some element of a view reads the pad value (map < 0). */
function isPadded(map: Int32Array): boolean {
  const pattern = classifyMap(map);
  return pattern.kind === 'window' || (pattern.kind === 'general' && pattern.padded);
}

/** Places `out` as the view `map` of `x` (composed with x's own map when x is a view). */
function setView(fuser: LoopFuser, out: ValueId, x: ValueId, map: Int32Array, pad: number): void {
  const inShape = fuser.graph.shapeOf(x);
  const base = fuser.placementOf(x);
  const root = fuser.graph.root(x);
  const padded = isPadded(map);
  if (base.kind === 'literal') {
    // A view of one number is that number, unless it pads with another: then the number needs a buffer.
    if (!padded || Object.is(pad, base.value)) {
      fuser.place(out, base);
      return;
    }
    const buf = fuser.addBuffer({ size: sizeOf(inShape), role: 'constant', init: new Float32Array(sizeOf(inShape)).fill(base.value) });
    fuser.place(root, { kind: 'buffer', buf });
    fuser.place(out, { kind: 'view', base: root, map, pad });
    return;
  }
  if (base.kind === 'view') {
    const innerPadded = isPadded(base.map);
    if (padded && innerPadded && !Object.is(pad, base.pad)) throw new NotCompilable('a pad of a pad with another value');
    fuser.place(out, { kind: 'view', base: base.base, map: composeMaps(base.map, map), pad: innerPadded ? base.pad : pad });
    return;
  }
  fuser.place(out, { kind: 'view', base: root, map, pad });
}
