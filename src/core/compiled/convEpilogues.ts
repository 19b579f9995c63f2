/**
 * A convolution's bias and relu as the epilogue of its product (gemmWasm.ts): tf.relu(tf.add(tf.conv2d(x, w),
 * b)) traces as Conv2D, Add and Relu, which fused into a loop that read the product back, added the bias and
 * took the relu, one more pass over a layer's activations. When nothing else reads the convolution's output
 * or the sum (relu's gradient reads the relu's output, valueGraph.ts' Step of the Relu), the product's
 * blocks add the bias and take the relu before they store, in the same float32 operations: the same bits.
 */
import type { KernelNode, ValueId } from './program';
import type { ValueGraph } from './valueGraph';

export interface ConvEpilogue {
  readonly kind: 'forward';
  /** The bias, [outC] (or with leading ones), added to every pixel's channels; undefined: no Add. */
  readonly bias?: ValueId;
  readonly relu: boolean;
  /** The value the convolution's call now writes: the Relu's output, else the Add's. */
  readonly result: ValueId;
  /** The Add and Relu nodes the call computes (fusion skips them). */
  readonly absorbed: readonly number[];
}

/** The epilogue of each Conv2D node (by index) whose output only an Add of a bias and/or a Relu reads. */
export function convEpilogues(graph: ValueGraph): Map<number, ConvEpilogue> {
  const { program } = graph;
  const outputs = new Set(program.outputs.map((id) => graph.root(id)));
  const producers = new Map<ValueId, number>();
  program.nodes.forEach((node, index) => node.outputs.forEach((id) => producers.set(id, index)));
  /** The one needed node reading root `id`, when there is exactly one and `id` is no program output. */
  const onlyReader = (id: ValueId): { index: number; node: KernelNode } | undefined => {
    const readers = graph.readersOf(id);
    if (readers.size !== 1 || outputs.has(id)) return undefined;
    const index = readers.values().next().value as number;
    return { index, node: program.nodes[index] };
  };
  const found = new Map<number, ConvEpilogue>();
  program.nodes.forEach((node, index) => {
    if (node.kernel !== 'Conv2D' || !graph.isNeeded(index) || node.outputs.length !== 1) return;
    const out = graph.root(node.outputs[0]);
    let result = out;
    const absorbed: number[] = [];
    let bias: ValueId | undefined;
    const add = onlyReader(out);
    const biasOf = add && add.node.kernel === 'Add' ? biasOperand(graph, add.node, out) : undefined;
    if (add && biasOf !== undefined && (producers.get(graph.root(biasOf)) ?? -1) < index && sameShapeFloat(graph, add.node.outputs[0], out)) {
      bias = biasOf;
      result = graph.root(add.node.outputs[0]);
      absorbed.push(add.index);
    }
    const relu = onlyReader(result);
    const isRelu = relu !== undefined && relu.node.kernel === 'Relu' && sameShapeFloat(graph, relu.node.outputs[0], out);
    if (relu && isRelu) {
      result = graph.root(relu.node.outputs[0]);
      absorbed.push(relu.index);
    }
    if (absorbed.length > 0) found.set(index, { kind: 'forward', bias, relu: isRelu, result, absorbed });
  });
  return found;
}

/** Add(out, b) or Add(b, out)'s b when it is a float32 vector of out's channels (leading ones allowed). */
function biasOperand(graph: ValueGraph, add: KernelNode, out: ValueId): ValueId | undefined {
  if (add.inputs.length !== 2 || add.outputs.length !== 1) return undefined;
  const [first, second] = add.inputs.map((i) => i.value);
  const convFirst = graph.root(first) === out;
  if (convFirst === (graph.root(second) === out)) return undefined;
  const bias = convFirst ? second : first;
  const channels = graph.shapeOf(out).at(-1);
  const shape = graph.shapeOf(bias);
  const isVector = shape.length > 0 && shape.at(-1) === channels && shape.slice(0, -1).every((d) => d === 1);
  return isVector && graph.dtypeOf(bias) === 'float32' ? bias : undefined;
}

function sameShapeFloat(graph: ValueGraph, id: ValueId, like: ValueId): boolean {
  return graph.dtypeOf(id) === 'float32' && graph.shapeOf(id).join() === graph.shapeOf(like).join();
}
