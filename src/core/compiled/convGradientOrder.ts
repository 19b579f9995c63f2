/**
 * The order fusion lowers a program's kernels in (fuseLoops.ts): the trace's, except that a convolution's
 * filter gradient moves before its input gradient. tfjs's conv2d gradient computes the input's first; the
 * filter's reads the forward convolution's patches (convCalls.ts keeps them), and the input's writes a patch
 * matrix of the same size before col2im. Filter first, the forward patches are dead when the input gradient
 * runs, so its patches share their bytes (bufferLifetimes.ts): one patch matrix fewer in the working set
 * (the bench CNN's 1.2 MB). The two only read what both read (dy, and x or the filter), so their results are
 * the same in either order.
 */
import type { ValueId } from './program';
import type { ValueGraph } from './valueGraph';

/** How many nodes past an input gradient its filter gradient is looked for (tfjs emits them side by side). */
const WINDOW = 4;

/** Node indices in the order to lower them. */
export function loweringOrder(graph: ValueGraph): number[] {
  const nodes = graph.program.nodes;
  const producer = new Map<ValueId, number>();
  nodes.forEach((node, index) => node.outputs.forEach((id) => producer.set(graph.root(id), index)));
  const order = nodes.map((_, index) => index);
  for (let k = 0; k < order.length; k++) {
    const input = nodes[order[k]];
    if (input.kernel !== 'Conv2DBackpropInput') continue;
    const dy = graph.root(input.inputs.find((i) => i.name === 'dy')?.value ?? -1);
    for (let j = k + 1; j < Math.min(order.length, k + 1 + WINDOW); j++) {
      const filter = nodes[order[j]];
      const sameDy = filter.kernel === 'Conv2DBackpropFilter' && graph.root(filter.inputs.find((i) => i.name === 'dy')?.value ?? -2) === dy;
      // Every value it reads must exist before the input gradient does.
      if (sameDy && filter.inputs.every((i) => (producer.get(graph.root(i.value)) ?? -1) < order[k])) {
        order.splice(k, 0, ...order.splice(j, 1));
        k++;
        break;
      }
    }
  }
  return order;
}
