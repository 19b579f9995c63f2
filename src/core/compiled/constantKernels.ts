/**
 * Kernels without tensor inputs, whose values are known at compile time
 * (stage 3 of compileProgram): fills become literals, tf.range and
 * tf.linspace constant buffers (computed as the cpu kernel does, in float32
 * steps).
 */
import type { LoopFuser } from './loopFuser';
import type { KernelNode } from './program';

export const CONSTANT_KERNELS = new Set(['Fill', 'ZerosLike', 'OnesLike', 'Range', 'LinSpace']);

export function lowerConstant(fuser: LoopFuser, node: KernelNode): void {
  const out = node.outputs[0];
  const values = valuesOf(node, fuser.graph.sizeOf(out));
  if (typeof values === 'number') fuser.place(out, { kind: 'literal', value: values });
  else if (node.kernel === 'Range' && sameBitsThroughout(values)) fuser.place(out, { kind: 'literal', value: values[0] });
  else fuser.place(out, { kind: 'buffer', buf: fuser.addBuffer({ size: values.length, role: 'constant', init: values }) });
}

/**
 * Whether every element of a non-empty array has the first one's bits: then one literal stands for
 * them all. A scan of the bits, as a constant of the trace can be an activation's size.
 */
export function sameBitsThroughout(values: Float32Array): boolean {
  if (values.length === 0) return false;
  const bits = new Int32Array(values.buffer, values.byteOffset, values.length);
  const first = bits[0];
  for (let i = 1; i < bits.length; i++) if (bits[i] !== first) return false;
  return true;
}

/** The kernel's one value (fills) or every value. */
function valuesOf(node: KernelNode, size: number): number | Float32Array {
  const attrs = node.attrs;
  switch (node.kernel) {
    case 'Fill':
      return Math.fround(attrs.value as number);
    case 'ZerosLike':
      return 0;
    case 'OnesLike':
      return 1;
    case 'Range': {
      const { start, stop } = attrs as { start: number; stop: number };
      let step = attrs.step as number;
      if (stop < start && step === 1) step = -1;
      return steps(start, step, size);
    }
    default: {
      const { start, stop, num } = attrs as { start: number; stop: number; num: number };
      return steps(start, (stop - start) / (num - 1), num);
    }
  }
}

/** start, start + step, … in float32 (each value is the previous one plus step, rounded). */
function steps(start: number, step: number, count: number): Float32Array {
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = i === 0 ? start : values[i - 1] + step;
  return values;
}
