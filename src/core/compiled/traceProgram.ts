/**
 * Stage 1 of the compiler (README.md): tracing. Runs a TensorFlow.js computation once
 * and records every kernel the engine runs as a Program (program.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { checkKernelBounds } from './kernelBounds';
import { NotCompilable, type KernelNode, type Program, type ValueId, type ValueInfo, type ValueSource } from './program';

type Engine = { runKernel: (name: string, inputs: Record<string, tf.Tensor>, attrs?: Record<string, unknown>) => tf.Tensor | tf.Tensor[] };

const READS = ['dataSync', 'data', 'arraySync', 'array', 'bufferSync', 'buffer'] as const;
const CONSOLE = ['log', 'info', 'warn', 'error', 'debug'] as const;

/** The values and kernels recorded so far; `capturing` while the tracer itself reads tensors. */
class Recording {
  readonly values = new Map<ValueId, ValueInfo & { source: ValueSource }>();
  readonly nodes: KernelNode[] = [];
  capturing = false;

  /** The id of tensor t, captured by value as a constant when it is neither an input nor a kernel's output. */
  valueOf(t: tf.Tensor): ValueId {
    if (!this.values.has(t.id)) this.set(t, { kind: 'constant', values: this.read(t) });
    return t.id;
  }
  set(t: tf.Tensor, source: ValueSource): void {
    this.values.set(t.id, { id: t.id, shape: t.shape, dtype: t.dtype, source });
  }
  read(t: tf.Tensor): Float32Array {
    this.capturing = true;
    try {
      return Float32Array.from(t.dataSync());
    } finally {
      this.capturing = false;
    }
  }
  addNode(kernel: string, inputs: KernelNode['inputs'], attrs: Record<string, unknown>, outputs: readonly tf.Tensor[]): void {
    const node = this.nodes.length;
    outputs.forEach((t, output) => this.set(t, { kind: 'node', node, output }));
    this.nodes.push({ kernel, inputs, attrs, outputs: outputs.map((t) => t.id) });
  }
}

/**
 * Runs `fn` once on the given input tensors and records every kernel the
 * engine runs (forward and, inside tf.grad, backward) as a Program. Tensors
 * that are neither inputs nor kernel outputs are constants and are captured
 * by value; `results` are the outputs TensorFlow.js computed. A computation
 * that reads tensor values (data-dependent control flow) is refused: its
 * kernel list could change from call to call; so is one that writes to the
 * console (compiled, it would log only while traced).
 */
export function traceProgram(fn: (...inputs: tf.Tensor[]) => tf.Tensor[], inputs: readonly tf.Tensor[]): { program: Program; results: Float32Array[] } {
  const recording = new Recording();
  inputs.forEach((t, index) => recording.set(t, { kind: 'input', index }));
  const kernels = recordKernels(recording);
  // An objective that logs expects to log every step; compiled, it would run only while traced.
  const logs = watch(console as unknown as Record<string, (...args: unknown[]) => unknown>, CONSOLE, () => true);
  const reads = watch(tf.Tensor.prototype as unknown as Record<string, (...args: unknown[]) => unknown>, READS, () => !recording.capturing);
  const outputs: ValueId[] = [];
  const results: Float32Array[] = [];
  try {
    tf.tidy(() => {
      for (const t of fn(...inputs)) {
        outputs.push(recording.valueOf(t));
        results.push(recording.read(t));
      }
    });
  } finally {
    kernels.restore();
    reads.restore();
    logs.restore();
  }
  if (kernels.nested) throw new NotCompilable(`kernel ${kernels.nested} ran inside another kernel`);
  if (logs.first) throw new NotCompilable(`the objective writes to the console (console.${logs.first}), which would run only while it is compiled, not every step`);
  if (reads.first) throw new NotCompilable(`the objective reads tensor values (${reads.first}()), so its computation can change from step to step`);
  return { program: { values: recording.values, nodes: recording.nodes, inputs: inputs.map((t) => t.id), outputs }, results };
}

/** Hooks the engine's runKernel: every top-level kernel call becomes a node. */
function recordKernels(recording: Recording): { restore(): void; readonly nested: string | undefined } {
  const engine = tf.engine() as unknown as Engine;
  const original = engine.runKernel;
  const state = { nested: undefined as string | undefined, restore: () => (engine.runKernel = original) };
  let depth = 0;
  // Kernels save copies of their inputs and outputs for the backward pass from inside the
  // kernel call (Identity, before the outputs are known here): recorded once the call returns.
  let saved: { input: tf.Tensor; output: tf.Tensor }[] = [];
  engine.runKernel = function (this: Engine, name, kernelInputs, attrs) {
    // Before the kernel runs: a position past its input would read outside wasm memory (kernelBounds.ts).
    checkKernelBounds(name, kernelInputs, attrs, (t) => recording.read(t));
    if (depth > 0) {
      const out = original.call(this, name, kernelInputs, attrs);
      if (name !== 'Identity' || Array.isArray(out)) state.nested ??= name;
      else saved.push({ input: kernelInputs.x, output: out });
      return out;
    }
    // Optional inputs left out are undefined or null (tf.batchNorm without scale or offset).
    const ins = Object.entries(kernelInputs)
      .filter(([, t]) => t !== undefined && t !== null)
      .map(([inputName, t]) => ({ name: inputName, value: recording.valueOf(t) }));
    depth++;
    let out: tf.Tensor | tf.Tensor[];
    try {
      out = original.call(this, name, kernelInputs, attrs);
    } finally {
      depth--;
    }
    recording.addNode(name, ins, JSON.parse(JSON.stringify(attrs ?? {})) as Record<string, unknown>, Array.isArray(out) ? out : [out]);
    for (const copy of saved) recording.addNode('Identity', [{ name: 'x', value: recording.valueOf(copy.input) }], {}, [copy.output]);
    saved = [];
    return out;
  };
  return state;
}

/** Wraps methods `names` of `target` to note the first one called while `counts()`; restore() puts them back. */
function watch(target: Record<string, (...args: unknown[]) => unknown>, names: readonly string[], counts: () => boolean): { restore(): void; readonly first: string | undefined } {
  const originals = names.map((name) => target[name]);
  const state = {
    first: undefined as string | undefined,
    restore: () => names.forEach((name, k) => (target[name] = originals[k])),
  };
  names.forEach((name, k) => {
    target[name] = function (this: unknown, ...args: unknown[]) {
      if (counts()) state.first ??= name;
      // (A console method may be called unbound: `const log = console.log`.)
      return originals[k].apply(this ?? target, args);
    };
  });
  return state;
}
