/**
 * Loop-shaped kernels, lowered into fused loops (stage 3 of compileProgram):
 * elementwise ones compute a local per element; reductions and segment sums
 * accumulate inside the loop that produces their input; gathers with indices
 * computed at run time and one-hot encodings read their indices there.
 */
import { classifyMap, reductionMap, reductionPattern } from './indexMaps';
import { castTemplate, foldElementwise } from './elementwiseKernels';
import { NOT_HERE, type LoopFuser } from './loopFuser';
import { NotCompilable, axesOf, sizeOf, type KernelNode } from './program';
import type { Expr, ReduceOp } from '../wasm/loopIR';
import { elementwiseIR } from './elementwiseIR';
import { oneHotArgs, toInt32Args } from './intExprs';
import type { TargetIndex } from './schedule';

export function lowerElementwise(fuser: LoopFuser, node: KernelNode, index: number): void {
  if (node.kernel === 'Cast' && !castTemplate(node.attrs.dtype)) throw new NotCompilable(`cannot compile a cast to ${String(node.attrs.dtype)}`);
  const { graph } = fuser;
  const out = node.outputs[0];
  const shape = graph.shapeOf(out);
  const placements = node.inputs.map((input) => fuser.placementOf(input.value));
  if (placements.every((p) => p.kind === 'literal')) {
    // Every input known at compile time (backprop's 1·1 seeds, constant factors): fold it.
    const values = placements.map((p) => (p as { value: number }).value);
    fuser.place(out, { kind: 'literal', value: foldElementwise(node.kernel, values, node.attrs) });
    return;
  }
  if (node.kernel === 'Multiply') {
    // x·1 = x exactly (backprop multiplies by the seed 1): reuse x instead of a loop that copies it
    // (and x need not be stored for this node: it reads nothing now).
    const other = placements.findIndex((_, k) => placements[1 - k].kind === 'literal' && (placements[1 - k] as { value: number }).value === 1);
    const x = other >= 0 ? node.inputs[other].value : undefined;
    if (x !== undefined && graph.sizeOf(x) === sizeOf(shape) && graph.dtypeOf(x) === 'float32' && !fuser.isOutput(out)) {
      graph.alias(out, x, index);
      return;
    }
  }
  fuser.inLoop(node, sizeOf(shape), (loop) => {
    const args: Expr[] = [];
    for (const input of node.inputs) {
      const operand = fuser.read(input.value, shape, loop);
      if (operand === NOT_HERE) return false;
      args.push(operand);
    }
    // int32 results (FloorDiv, int arithmetic, casts) are stored by tfjs in an Int32Array: converted as it does,
    // as IR where the value has a small IR form (then the loop can run as WebAssembly), else in JS (x | 0).
    const castToInt32 = node.kernel === 'Cast' && node.attrs.dtype === 'int32';
    const int32 = graph.dtypeOf(out) === 'int32' && node.kernel !== 'Cast';
    const value = castToInt32 ? args[0] : int32 ? elementwiseIR(node.kernel, args, node.attrs) : undefined;
    const converted = value === undefined ? undefined : toInt32Args(value);
    fuser.addLocal(loop, out, index, (local) => (converted
      ? { kind: 'elementwise', local, kernel: 'Select', attrs: {}, args: converted, int32: false }
      : { kind: 'elementwise', local, kernel: node.kernel, attrs: node.attrs, args, int32 }));
    return true;
  });
}

const REDUCE_OPS: Record<string, ReduceOp> = { Sum: 'sum', Mean: 'sum', Max: 'max', Min: 'min', Prod: 'prod' };
export const REDUCTIONS = new Set(Object.keys(REDUCE_OPS));

/** Sum, Mean, Max, Min, Prod: accumulated in the loop that produces the input. */
export function lowerReduction(fuser: LoopFuser, node: KernelNode, index: number): void {
  const x = node.inputs[0].value;
  const inShape = fuser.graph.shapeOf(x);
  const out = node.outputs[0];
  const axes = axesOf(node.attrs.axis ?? node.attrs.reductionIndices, inShape.length);
  const n = sizeOf(inShape);
  const rows = fuser.graph.sizeOf(out);
  const op = REDUCE_OPS[node.kernel];
  const divideBy = node.kernel === 'Mean' ? n / Math.max(rows, 1) : undefined;
  fuser.inLoop(node, n, (loop) => {
    const value = fuser.read(x, inShape, loop);
    if (value === NOT_HERE) return false;
    const buf = fuser.storageFor(out);
    if (rows === 1) {
      fuser.accumulate(loop, out, index, { kind: 'reduceAll', op, buf, value, divideBy });
      return true;
    }
    // Rows along the last axes (divide) or columns over the first (modulo) need no map of the input's size.
    const known = reductionPattern(inShape, axes);
    const map = known ? undefined : reductionMap(inShape, axes);
    const pattern = known ?? classifyMap(map as Int32Array);
    const rowsPattern = pattern.kind === 'divide' || (pattern.kind === 'modulo' && pattern.k === undefined);
    const at: TargetIndex = rowsPattern ? pattern : { kind: 'map', map: fuser.addMap(map as Int32Array) };
    fuser.accumulate(loop, out, index, { kind: 'reduceRows', op, buf, value, at, rows, divideBy });
    return true;
  });
}

/** tf.unsortedSegmentSum (the gradient of a gather): a scatter-add inside the producing loop. */
export function lowerSegmentSum(fuser: LoopFuser, node: KernelNode, index: number): void {
  const [x, ids] = node.inputs.map((input) => input.value);
  const inShape = fuser.graph.shapeOf(x);
  const out = node.outputs[0];
  const n = sizeOf(inShape);
  const rows = Math.max(1, fuser.graph.sizeOf(ids));
  const rowSize = n / rows;
  const known = fuser.knownNow(ids);
  const map = new Int32Array(n);
  const idValues = known ? fuser.valuesNow(ids) : undefined;
  for (let i = 0; i < n; i++) map[i] = idValues ? idValues[Math.floor(i / rowSize)] * rowSize + (i % rowSize) : Math.floor(i / rowSize);
  fuser.inLoop(node, n, (loop) => {
    const value = fuser.read(x, inShape, loop);
    if (value === NOT_HERE) return false;
    // Segment ids computed at run time (a gather of batch labels) are read in the loop.
    const row = known ? undefined : fuser.readMapped(ids, map);
    if (row === NOT_HERE) return false;
    const buf = fuser.storageFor(out);
    const at: TargetIndex = row === undefined ? { kind: 'map', map: fuser.addMap(map) } : { kind: 'row', row, rowSize };
    fuser.accumulate(loop, out, index, { kind: 'scatterAdd', buf, value, at });
    return true;
  });
}

/**
 * tf.gather with indices computed at run time (integer labels of a batch): element i reads x
 * at the row the index names, inside the consuming loop. Out-of-range indices read NaN (tfjs throws).
 */
export function lowerDynamicGather(fuser: LoopFuser, node: KernelNode, index: number): void {
  const [x, indices] = node.inputs.map((input) => input.value);
  if (((node.attrs.batchDims as number) ?? 0) !== 0) throw new NotCompilable('gather with batchDims and computed indices');
  const inShape = fuser.graph.shapeOf(x);
  const out = node.outputs[0];
  const axis = axesOf(node.attrs.axis, inShape.length)[0];
  const rowSize = sizeOf(inShape.slice(axis + 1));
  const len = inShape[axis];
  const count = fuser.graph.sizeOf(indices);
  const n = fuser.graph.sizeOf(out);
  const which = new Int32Array(n);
  const rowStarts = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    which[i] = Math.floor(i / rowSize) % count;
    rowStarts[i] = Math.floor(i / (rowSize * count)) * len * rowSize + (i % rowSize);
  }
  if (fuser.dependsOnOpen(node)) fuser.closeLoop();
  const table = fuser.materialize(x);
  const startsMap = fuser.addMap(rowStarts);
  fuser.inLoop(node, n, (loop) => {
    const at = fuser.readMapped(indices, which);
    if (at === NOT_HERE) return false;
    fuser.addLocal(loop, out, index, (local) => ({ kind: 'gather', local, table, rowStarts: startsMap, index: at, rowSize }));
    return true;
  });
}

/** tf.oneHot of (constant or input) indices: element i is on where indices[i / depth] is i % depth. */
export function lowerOneHot(fuser: LoopFuser, node: KernelNode, index: number): void {
  const indices = node.inputs[0].value;
  const out = node.outputs[0];
  const depth = node.attrs.depth as number;
  const n = fuser.graph.sizeOf(out);
  const rows = new Int32Array(n);
  for (let i = 0; i < n; i++) rows[i] = Math.floor(i / depth);
  const on = Math.fround(node.attrs.onValue as number);
  const off = Math.fround(node.attrs.offValue as number);
  // i mod depth read from a constant 0 … depth − 1: the comparison is then IR, and the loop can run as WebAssembly.
  const positions = fuser.addBuffer({ size: depth, role: 'constant', init: Float32Array.from({ length: depth }, (_, k) => k) });
  const position: Expr = { op: 'read', buf: positions, read: { kind: 'modulo', m: depth } };
  fuser.inLoop(node, n, (loop) => {
    const at = fuser.readMapped(indices, rows);
    if (at === NOT_HERE) return false;
    const args = oneHotArgs(at, position, on, off);
    fuser.addLocal(loop, out, index, (local) => ({ kind: 'elementwise', local, kernel: 'Select', attrs: {}, args, int32: false }));
    return true;
  });
}
