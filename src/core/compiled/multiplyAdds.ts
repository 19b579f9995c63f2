/**
 * The multiply-adds of a traced program's matrix products and convolutions, over the kernels a compiled run
 * computes (ValueGraph.isNeeded): each element of a product's output is a sum of k products; each element of a
 * convolution's output a sum over its filter's taps and input channels (a depthwise one's over its taps), and
 * each of its two gradients takes as many as the forward (every element of dy meets every tap once). For
 * reports that set a run's speed against one core's limit (`npm run bench`, issue 20); elementwise work,
 * reductions and the patch gathers around a convolution are not counted.
 */
import { sizeOf, type KernelNode } from './program';
import type { ValueGraph } from './valueGraph';

type Shape = readonly number[];

export function multiplyAddsOf(graph: ValueGraph): number {
  let total = 0;
  graph.program.nodes.forEach((node, index) => {
    if (graph.isNeeded(index)) total += multiplyAddsOfNode(graph, node);
  });
  return total;
}

function multiplyAddsOfNode(graph: ValueGraph, node: KernelNode): number {
  const shapeOf = (name: string): Shape | undefined => {
    const input = node.inputs.find((i) => i.name === name);
    return input === undefined ? undefined : graph.shapeOf(input.value);
  };
  const out = graph.shapeOf(node.outputs[0]);
  const attrs = node.attrs;
  switch (node.kernel) {
    case 'BatchMatMul': {
      const a = shapeOf('a');
      if (a === undefined || a.length < 2) return 0;
      // a is [.., m, k], or [.., k, m] transposed.
      const k = attrs.transposeA === true ? a[a.length - 2] : a[a.length - 1];
      return sizeOf(out) * k;
    }
    case 'Conv2D':
    case 'DepthwiseConv2dNative':
      return sizeOf(out) * tapsPerOutput(node.kernel, shapeOf('filter'));
    case 'Conv2DBackpropInput':
    case 'DepthwiseConv2dNativeBackpropInput':
      return sizeOf(shapeOf('dy') ?? []) * tapsPerOutput(node.kernel, shapeOf('filter'));
    case 'Conv2DBackpropFilter':
    case 'DepthwiseConv2dNativeBackpropFilter':
      return sizeOf(shapeOf('dy') ?? []) * tapsPerOutput(node.kernel, attrs.filterShape as Shape | undefined);
    default:
      return 0;
  }
}

/** Products summed into one element of the forward output: fh · fw · in channels (fh · fw for a depthwise filter). */
function tapsPerOutput(kernel: string, filter: Shape | undefined): number {
  if (filter === undefined || filter.length !== 4) return 0;
  const [fh, fw, inChannels] = filter;
  return kernel.startsWith('Depthwise') ? fh * fw : fh * fw * inChannels;
}
