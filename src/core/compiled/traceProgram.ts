import * as tf from '@tensorflow/tfjs';
import { NotCompilable, type KernelNode, type Program, type ValueId, type ValueInfo, type ValueSource } from './program';

type Engine = { runKernel: (name: string, inputs: Record<string, tf.Tensor>, attrs?: Record<string, unknown>) => tf.Tensor | tf.Tensor[] };

const READS = ['dataSync', 'data', 'arraySync', 'array', 'bufferSync', 'buffer'] as const;
const CONSOLE = ['log', 'info', 'warn', 'error', 'debug'] as const;

/**
 * Runs `fn` once on the given input tensors and records every kernel the
 * engine runs (forward and, inside tf.grad, backward) as a Program. Tensors
 * that are neither inputs nor kernel outputs are constants and are captured
 * by value; `results` are the outputs TensorFlow.js computed. A computation that reads tensor values (data-dependent control
 * flow) is refused: its kernel list could change from call to call; so is one
 * that writes to the console (compiled, it would log only while traced).
 */
export function traceProgram(fn: (...inputs: tf.Tensor[]) => tf.Tensor[], inputs: readonly tf.Tensor[]): { program: Program; results: Float32Array[] } {
  const engine = tf.engine() as unknown as Engine;
  const values = new Map<ValueId, ValueInfo & { source: ValueSource }>();
  const nodes: KernelNode[] = [];
  inputs.forEach((t, index) => values.set(t.id, { id: t.id, shape: t.shape, dtype: t.dtype, source: { kind: 'input', index } }));
  let capturing = false;
  let userRead: string | undefined;
  let depth = 0;
  let nested: string | undefined;

  const valueOf = (t: tf.Tensor): ValueId => {
    if (!values.has(t.id)) {
      capturing = true;
      try {
        values.set(t.id, { id: t.id, shape: t.shape, dtype: t.dtype, source: { kind: 'constant', values: Float32Array.from(t.dataSync()) } });
      } finally {
        capturing = false;
      }
    }
    return t.id;
  };

  const original = engine.runKernel;
  const proto = tf.Tensor.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const originalReads = READS.map((name) => proto[name]);
  // Kernels save copies of their inputs and outputs for the backward pass from inside the
  // kernel call (Identity, before the outputs are known here): recorded once the call returns.
  let saved: { input: tf.Tensor; output: tf.Tensor }[] = [];
  engine.runKernel = function (this: Engine, name, kernelInputs, attrs) {
    if (depth > 0) {
      const out = original.call(this, name, kernelInputs, attrs);
      if (name !== 'Identity' || Array.isArray(out)) nested ??= name;
      else saved.push({ input: kernelInputs.x, output: out });
      return out;
    }
    // Optional inputs left out are undefined or null (tf.batchNorm without scale or offset).
    const ins = Object.entries(kernelInputs)
      .filter(([, t]) => t !== undefined && t !== null)
      .map(([inputName, t]) => ({ name: inputName, value: valueOf(t) }));
    depth++;
    let out: tf.Tensor | tf.Tensor[];
    try {
      out = original.call(this, name, kernelInputs, attrs);
    } finally {
      depth--;
    }
    const outs = Array.isArray(out) ? out : [out];
    const node = nodes.length;
    outs.forEach((t, output) => values.set(t.id, { id: t.id, shape: t.shape, dtype: t.dtype, source: { kind: 'node', node, output } }));
    nodes.push({ kernel: name, inputs: ins, attrs: JSON.parse(JSON.stringify(attrs ?? {})) as Record<string, unknown>, outputs: outs.map((t) => t.id) });
    for (const copy of saved) {
      const input = valueOf(copy.input);
      values.set(copy.output.id, { id: copy.output.id, shape: copy.output.shape, dtype: copy.output.dtype, source: { kind: 'node', node: nodes.length, output: 0 } });
      nodes.push({ kernel: 'Identity', inputs: [{ name: 'x', value: input }], attrs: {}, outputs: [copy.output.id] });
    }
    saved = [];
    return out;
  };
  READS.forEach((name, k) => {
    proto[name] = function (this: unknown, ...args: unknown[]) {
      if (!capturing) userRead ??= name;
      return originalReads[k].apply(this, args);
    };
  });
  // An objective that logs expects to log every step; compiled, it would run only while traced.
  let logged: string | undefined;
  const consoleMethods = CONSOLE.map((name) => console[name]);
  CONSOLE.forEach((name, k) => {
    console[name] = (...args: unknown[]) => {
      logged ??= name;
      consoleMethods[k].apply(console, args);
    };
  });
  const outputs: ValueId[] = [];
  const results: Float32Array[] = [];
  try {
    tf.tidy(() => {
      for (const t of fn(...inputs)) {
        outputs.push(valueOf(t));
        capturing = true;
        results.push(Float32Array.from(t.dataSync()));
        capturing = false;
      }
    });
  } finally {
    engine.runKernel = original;
    READS.forEach((name, k) => (proto[name] = originalReads[k]));
    CONSOLE.forEach((name, k) => (console[name] = consoleMethods[k]));
  }
  if (nested) throw new NotCompilable(`kernel ${nested} ran inside another kernel`);
  if (logged) throw new NotCompilable(`the objective writes to the console (console.${logged}), which would run only while it is compiled, not every step`);
  if (userRead) throw new NotCompilable(`the objective reads tensor values (${userRead}()), so its computation can change from step to step`);
  return { program: { values, nodes, inputs: inputs.map((t) => t.id), outputs }, results };
}
