/**
 * Watching a rule's update from inside TensorFlow.js's engine. A rule computes
 * numbers in plain JS (lr / (1 − β₁ᵗ)) and hands them to tensor ops, where
 * each becomes a scalar tensor: the compiled loop takes those scalars as inputs,
 * so they must be recomputed every step without doing the tensor work.
 *
 * `record` runs the update for real and notes every top-level kernel (name,
 * attributes, output shapes) and every scalar the engine makes, in order.
 * `replay` runs the same JS again with the engine's kernels and tensor
 * creation replaced by stand-ins of the recorded shapes: no arithmetic, no
 * memory, just the numbers the rule computes this step. If the rule takes
 * another path (a different kernel, attribute or returned tensor), the replay
 * says so and the caller compiles that path too.
 */
import * as tf from '@tensorflow/tfjs';
import { PathChanged, insideRecordedOp, recordOps, standIn, type OpRecording } from './opReplay';

export { PathChanged, standIn };

type Inputs = Record<string, tf.Tensor>;
interface Engine {
  runKernel(name: string, inputs: Inputs, attrs?: Record<string, unknown>): tf.Tensor | tf.Tensor[];
  makeTensor(values: unknown, shape: number[], dtype: tf.DataType, backend?: unknown): tf.Tensor;
  disposeTensor(t: tf.Tensor): void;
  startScope(name?: string): void;
  endScope(result?: unknown): void;
}

/** One top-level kernel call: what a replay must repeat exactly. */
export interface KernelCall {
  readonly kernel: string;
  /** Primitive attributes as text (compared per step: they can carry numbers from JS, e.g. clipByValue's bounds). */
  readonly attrs: string;
  readonly outputs: readonly { readonly shape: readonly number[]; readonly dtype: tf.DataType }[];
}

export interface Recording {
  readonly calls: readonly KernelCall[];
  /** Values of the scalars the engine made, in order (float32 as the tensor holds them). */
  readonly scalars: Float64Array;
  /** The scalar tensors themselves (record only): their ids name them in the traced program. */
  readonly scalarTensors: readonly tf.Tensor[];
  /** Real tensor id → the stand-in id a replay gives the same tensor (callOutputId), for comparing what the update returns. */
  readonly standInIds: ReadonlyMap<number, number>;
  /** The stand-ins a replay's kernel calls return (made once: a replay allocates no tensors). */
  readonly standIns: readonly (tf.Tensor | tf.Tensor[])[];
  /** The same update at the level of op calls (the fast replay), when the rule can be followed there. */
  readonly ops?: OpRecording;
}


const attrText = (attrs: Record<string, unknown> | undefined): string => {
  if (!attrs) return '';
  let text = '';
  for (const key in attrs) {
    const v = attrs[key];
    text += `${key}=${typeof v === 'object' && v !== null && !Array.isArray(v) ? '?' : String(v)};`;
  }
  return text;
};

const scalarOf = (values: unknown, dtype: tf.DataType): number | undefined => {
  const first = (values as ArrayLike<number>)[0] ?? (values as number);
  if (typeof first !== 'number') return undefined;
  return dtype === 'float32' ? Math.fround(first) : first;
};

/** Runs `body` with the engine's runKernel and makeTensor wrapped; top-level calls only (kernels call the engine too). */
export function record<T>(body: () => T, inputIds: ReadonlyMap<number, number>): { result: T; recording: Recording } {
  const engine = tf.engine() as unknown as Engine;
  const { runKernel, makeTensor } = engine;
  const calls: KernelCall[] = [];
  const scalars: number[] = [];
  const scalarTensors: tf.Tensor[] = [];
  const standInIds = new Map<number, number>(inputIds);
  let depth = 0;
  /** Kernels run and tensors made outside any op the rule called (tf.scalar(x)): the op-level replay cannot follow those. */
  let outsideOps = 0;
  engine.runKernel = function (this: Engine, name, inputs, attrs) {
    if (depth > 0) return runKernel.call(this, name, inputs, attrs);
    if (!insideRecordedOp()) outsideOps++;
    depth++;
    try {
      const out = runKernel.call(this, name, inputs, attrs);
      const outs = Array.isArray(out) ? out : [out];
      outs.forEach((t, o) => standInIds.set(t.id, callOutputId(calls.length, o)));
      calls.push({ kernel: name, attrs: attrText(attrs), outputs: outs.map((t) => ({ shape: t.shape, dtype: t.dtype })) });
      return out;
    } finally {
      depth--;
    }
  };
  engine.makeTensor = function (this: Engine, values, shape, dtype, backend) {
    const t = makeTensor.call(this, values, shape, dtype, backend);
    if (depth === 0 && !insideRecordedOp()) outsideOps++;
    if (depth === 0 && t.size === 1) {
      scalars.push(scalarOf(values, t.dtype) ?? NaN);
      scalarTensors.push(t);
    }
    return t;
  };
  try {
    const { result, ops } = recordOps(body, new Map(inputIds), () => scalars.length, () => outsideOps);
    const standIns = calls.map((call, k) => {
      const outs = call.outputs.map((o, i) => standIn(o.shape, o.dtype, callOutputId(k, i)));
      return outs.length === 1 ? outs[0] : outs;
    });
    return { result, recording: { calls, scalars: Float64Array.from(scalars), scalarTensors, standInIds, standIns, ...(ops ? { ops } : {}) } };
  } finally {
    engine.runKernel = runKernel;
    engine.makeTensor = makeTensor;
  }
}

/** Runs `fn` with the engine refusing work: in an op-level replay, a kernel or a new tensor means the rule left the recorded ops. */
const refuseKernel = (): never => {
  throw new PathChanged('the update ran a kernel outside the recorded ops');
};
const refuseTensor = (): never => {
  throw new PathChanged('the update made a tensor outside the recorded ops');
};
const nothing = (): undefined => undefined;

/** The engine, read once: `tf.engine` goes through two module getters, a noticeable part of a replay's microseconds. */
let theEngine: Engine | undefined;

export function guardEngine<R>(fn: () => R): R {
  const engine = (theEngine ??= tf.engine() as unknown as Engine);
  const { runKernel, makeTensor, startScope, endScope } = engine;
  engine.runKernel = refuseKernel;
  engine.makeTensor = refuseTensor;
  // tf.tidy inside the rule: nothing to track.
  engine.startScope = nothing;
  engine.endScope = nothing;
  try {
    return fn();
  } finally {
    engine.runKernel = runKernel;
    engine.makeTensor = makeTensor;
    engine.startScope = startScope;
    engine.endScope = endScope;
  }
}

function revive(standIns: readonly tf.Tensor[]): void {
  for (const t of standIns) (t as unknown as { isDisposedInternal: boolean }).isDisposedInternal = false;
}

const SCALAR_STAND_IN = standIn([], 'float32', 0);
/** Id of output `o` of kernel call `k` (negative: never a real tensor's id). */
export const callOutputId = (k: number, o: number): number => -(k * 16 + o + 1) - 1_000_000;
/** Id of the replay's input `k`. */
export const inputId = (k: number): number => -(k + 1);

/**
 * Runs `body` (the rule's update on stand-ins made with `standIn`) against `recorded`: kernels return
 * stand-ins of the recorded shapes, scalars are collected into `scalarsOut`. Throws PathChanged when the
 * body runs another kernel, other attributes or more scalars than recorded.
 */
export function replay<T>(recorded: Recording, scalarsOut: Float64Array, inputs: readonly tf.Tensor[], body: () => T): T {
  const engine = tf.engine() as unknown as Engine;
  const { runKernel, makeTensor, startScope, endScope, disposeTensor } = engine;
  let disposed = false;
  const calls = recorded.calls;
  let k = 0;
  let s = 0;
  const noop = () => undefined;
  engine.runKernel = (name, _inputs, attrs) => {
    const call = calls[k];
    if (!call || call.kernel !== name || (call.attrs !== '' && call.attrs !== attrText(attrs)) || (call.attrs === '' && attrText(attrs) !== '')) {
      throw new PathChanged(`kernel ${k} is ${name}${attrText(attrs) ? ` (${attrText(attrs)})` : ''}, recorded ${call ? `${call.kernel} (${call.attrs})` : 'nothing'}`);
    }
    return recorded.standIns[k++];
  };
  engine.makeTensor = (values, shape, dtype) => {
    if (shape.length === 0 || shape.reduce((a, b) => a * b, 1) === 1) {
      if (s >= scalarsOut.length) throw new PathChanged(`the update makes more than the ${scalarsOut.length} scalars recorded`);
      scalarsOut[s++] = scalarOf(values, dtype) ?? NaN;
    }
    return shape.length === 0 && dtype === 'float32' ? SCALAR_STAND_IN : standIn(shape, dtype, 0);
  };
  // Stand-ins hold no memory: scopes have nothing to track or free.
  engine.startScope = noop;
  engine.endScope = noop;
  // A rule may dispose its intermediates: the stand-ins are reused, so they are revived afterwards.
  engine.disposeTensor = () => void (disposed = true);
  try {
    const result = body();
    if (k !== calls.length) throw new PathChanged(`the update ran ${k} kernels, recorded ${calls.length}`);
    if (s !== scalarsOut.length) throw new PathChanged(`the update made ${s} scalars, recorded ${scalarsOut.length}`);
    return result;
  } finally {
    engine.runKernel = runKernel;
    engine.makeTensor = makeTensor;
    engine.startScope = startScope;
    engine.endScope = endScope;
    engine.disposeTensor = disposeTensor;
    if (disposed) revive([...recorded.standIns.flat(), SCALAR_STAND_IN, ...inputs]);
  }
}
