/**
 * A relu's gradient and its bias's as the epilogue of the convolution input gradient they read: below a layer
 * tf.relu(tf.add(tf.conv2d(x, w), b)), backprop traces Conv2DBackpropInput (dx), Step of the relu's output,
 * Multiply (dx·step: the gradient at the relu's input) and Sum over every pixel (the bias's gradient), which
 * fused into a loop that read dx back and the activation, stored the product and summed it: one more pass over
 * the layer. Where the input gradient runs phase by phase (inputGradientWasm.ts), each element of dx is in a
 * register once, so the kernel multiplies it by step(y) there and adds it to its channel's sum: the same float32
 * product, the sum in the kernel's order of pixels.
 */
import { wasmSimdSupported } from '../wasm/loopModule';
import { convGeometryOf } from './convCalls';
import { inputGradientOnOneThread } from './convKernels';
import { phasePlan } from './inputGradientWasm';
import { NotCompilable, type KernelNode, type ValueId } from './program';
import type { ValueGraph } from './valueGraph';

export interface InputGradientEpilogue {
  readonly kind: 'inputGradient';
  /** y of step(y): the relu's output (valueGraph's Step of the Relu), shaped as dx. */
  readonly mask: ValueId;
  /** Step's value where y ≤ 0 (0: relu's gradient; a leaky relu's slope otherwise). */
  readonly alpha: number;
  /** The Multiply's value, which the call now writes instead of dx. */
  readonly result: ValueId;
  /** The Sum over every pixel of the result (a bias's gradient, [channels]), when there is one. */
  readonly sums?: ValueId;
  /** The Step (when only the Multiply reads it), Multiply and Sum nodes the call computes (fusion skips them). */
  readonly absorbed: readonly number[];
}

/**
 * The epilogue of each Conv2DBackpropInput node (by index) whose dx only a Multiply by Step(y) reads, when its
 * call will run phase by phase (a plan, SIMD, one thread: convKernels' inputGradientOnOneThread).
 */
export function inputGradientEpilogues(graph: ValueGraph): Map<number, InputGradientEpilogue> {
  const { program } = graph;
  const outputs = new Set(program.outputs.map((id) => graph.root(id)));
  const producers = new Map<ValueId, number>();
  // The node computing each root (an alias, a no-op Cast of the Step, only renames it).
  program.nodes.forEach((node, index) => !graph.isAlias(node) && node.outputs.forEach((id) => producers.set(graph.root(id), index)));
  const found = new Map<number, InputGradientEpilogue>();
  program.nodes.forEach((node, index) => {
    if (node.kernel !== 'Conv2DBackpropInput' || !graph.isNeeded(index) || node.outputs.length !== 1) return;
    const dx = graph.root(node.outputs[0]);
    const readers = graph.readersOf(dx);
    if (readers.size !== 1 || outputs.has(dx) || !runsByPhases(graph, node)) return;
    const mulIndex = readers.values().next().value as number;
    const mul = program.nodes[mulIndex];
    const step = mul.kernel === 'Multiply' ? stepOperand(graph, mul, dx, producers) : undefined;
    if (!step || !sameShapeFloat(graph, mul.outputs[0], dx)) return;
    if ((producers.get(graph.root(step.y)) ?? -1) >= index) return;
    const result = graph.root(mul.outputs[0]);
    const sum = [...graph.readersOf(result)].find((reader) => isPixelSum(graph, program.nodes[reader], result));
    // The Step too when nothing else reads it: otherwise a loop would still compute and store it.
    const stepAlone = graph.readersOf(step.root).size === 1;
    const absorbed = [...(stepAlone ? [step.index] : []), mulIndex, ...(sum === undefined ? [] : [sum])];
    found.set(index, { kind: 'inputGradient', mask: step.y, alpha: step.alpha, result, sums: sum === undefined ? undefined : graph.root(program.nodes[sum].outputs[0]), absorbed });
  });
  return found;
}

/** Whether the node's geometry has a plan and the call will take it (NotCompilable: lowering reports it). */
function runsByPhases(graph: ValueGraph, node: KernelNode): boolean {
  try {
    const g = convGeometryOf(graph, node);
    return phasePlan(g) !== undefined && wasmSimdSupported() && inputGradientOnOneThread(g);
  } catch (e) {
    if (e instanceof NotCompilable) return false;
    throw e;
  }
}

/** Multiply(dx, Step(y)) or Multiply(Step(y), dx): y (float32, dx's shape), Step's alpha, its node and value. */
function stepOperand(graph: ValueGraph, mul: KernelNode, dx: ValueId, producers: ReadonlyMap<ValueId, number>): { y: ValueId; alpha: number; index: number; root: ValueId } | undefined {
  if (mul.inputs.length !== 2 || mul.outputs.length !== 1) return undefined;
  const [first, second] = mul.inputs.map((i) => graph.root(i.value));
  if ((first === dx) === (second === dx)) return undefined;
  const other = first === dx ? second : first;
  const producer = producers.get(other);
  const step = producer === undefined ? undefined : graph.program.nodes[producer];
  if (!step || step.kernel !== 'Step' || step.inputs.length !== 1 || !sameShapeFloat(graph, other, dx)) return undefined;
  const y = step.inputs[0].value;
  const alpha = step.attrs.alpha === undefined ? 0 : Number(step.attrs.alpha);
  return sameShapeFloat(graph, y, dx) && Number.isFinite(alpha) ? { y, alpha, index: producer as number, root: other } : undefined;
}

/** Sum(result) over every axis but the channels' (a bias's gradient), to [channels] or with kept ones. */
function isPixelSum(graph: ValueGraph, node: KernelNode, result: ValueId): boolean {
  if (node.kernel !== 'Sum' || node.inputs.length !== 1 || graph.root(node.inputs[0].value) !== result || node.outputs.length !== 1) return false;
  const rank = graph.shapeOf(result).length;
  const raw = node.attrs.axis;
  const axes = (Array.isArray(raw) ? raw : [raw]).map((a) => (Number(a) + rank) % rank).sort((a, b) => a - b);
  const channels = graph.shapeOf(result).at(-1);
  const out = graph.shapeOf(node.outputs[0]);
  return axes.join() === [...Array(rank - 1).keys()].join() && graph.dtypeOf(node.outputs[0]) === 'float32' && out.at(-1) === channels && out.every((d, k) => k === out.length - 1 || d === 1);
}

function sameShapeFloat(graph: ValueGraph, id: ValueId, like: ValueId): boolean {
  return graph.dtypeOf(id) === 'float32' && graph.shapeOf(id).join() === graph.shapeOf(like).join();
}
