/**
 * The fast replay of a rule's update: at the level of the ops the rule calls
 * (`tf.mul(a, b)`, `state.m.mul(beta1)`), not the kernels they run. Recorded
 * once with the real ops wrapped; replayed every step with stand-ins whose
 * methods, and for the step's few microseconds the `tf.*` functions the rule
 * used, answer from the recording: the number arguments are this step's
 * scalars, everything else must be what it was. TensorFlow.js's op functions
 * never run, which is what makes a replay cost about as much as the rule's own JS.
 *
 * A rule this cannot follow (it makes tensors outside ops, `tf.scalar(x)`, or
 * an op's numbers are not its scalars) is replayed at the kernel level
 * (./ruleRecorder.ts), slower but general.
 */
import * as tf from '@tensorflow/tfjs';

// The module object whose exports `tf.*` reads through (the user's `tf` too): its op functions are writable.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const core = require('@tensorflow/tfjs-core') as Record<string, unknown>;

type Fn = (this: unknown, ...args: unknown[]) => unknown;
/** `tf.*` functions that are ops (tfjs names them `<op>__op`). */
const OP_FUNCTIONS = new Set(Object.keys(core).filter((k) => typeof core[k] === 'function' && (core[k] as Fn).name.endsWith('__op')));
const NOT_OPS = new Set(['constructor', 'buffer', 'bufferSync', 'array', 'arraySync', 'data', 'dataToGPU', 'dataSync', 'bytes', 'dispose', 'throwIfDisposed', 'print', 'toString', 'variable']);
const proto = tf.Tensor.prototype as unknown as Record<string, Fn>;
/** Tensor methods that are ops (tfjs's chained ops: `x.mul(y)`). */
const OP_METHODS = Object.getOwnPropertyNames(proto).filter((k) => !NOT_OPS.has(k) && typeof Object.getOwnPropertyDescriptor(proto, k)?.value === 'function');

/** One op call of the rule, as the replay must repeat it. */
export interface OpEvent {
  readonly name: string;
  readonly method: boolean;
  /** Per argument (the receiver first for methods): a tensor's id, a scalar's index, or the argument as text. */
  readonly args: readonly ArgSpec[];
  /** `args` as the replay checks them every step, without property lookups: each argument's kind and its tensor id or scalar index. */
  readonly kinds: Uint8Array;
  readonly refs: Int32Array;
  readonly result: tf.Tensor | tf.Tensor[];
}
const TENSOR = 0;
const SCALAR = 1;
const TEXT = 2;
type ArgSpec = { readonly tensor: number } | { readonly scalar: number } | { readonly text: string };

export interface OpRecording {
  readonly events: readonly OpEvent[];
  /** `tf.*` functions the rule called (patched while it is replayed). */
  readonly functions: readonly string[];
  /** Real tensor id → the id its stand-in has in a replay. */
  readonly standInIds: ReadonlyMap<number, number>;
}

/** A tensor with shape and id only; its op methods answer from the active replay (or run for real outside one). */
export class StandIn extends tf.Tensor {}
type TensorConstructor = new (shape: number[], dtype: tf.DataType, dataId: object, id: number) => tf.Tensor;
const STAND_IN_DATA = Object.freeze({ standIn: true });
export function standIn(shape: readonly number[], dtype: tf.DataType, id: number): tf.Tensor {
  return new (StandIn as unknown as TensorConstructor)(shape as number[], dtype, STAND_IN_DATA, id);
}
export const opOutputId = (e: number, o: number): number => -(e * 16 + o + 1) - 2_000_000;

/**
 * The replay running now, as module fields rather than an object: a replay is a few hundred
 * nanoseconds, and an object per step was a measurable part of it (and of its garbage).
 */
let active = false;
let activeEvents: readonly OpEvent[] = [];
let activeScalars: Float64Array = new Float64Array(0);
let activeNext = 0;

const TensorClass = tf.Tensor;

/*
 * The per-op path (answer, passes) is kept small enough for the JIT to inline into the rule's code;
 * anything that fails, and the rare text arguments, go to the cold functions below it.
 */

/** Whether an argument is what was recorded (of kind `kind`, tensor id or scalar index `ref`); a scalar goes to the step's scalars. */
function passes(kind: number, ref: number, arg: unknown): boolean {
  if (kind === SCALAR) {
    if (typeof arg !== 'number') return false;
    activeScalars[ref] = Math.fround(arg);
    return true;
  }
  // Stand-in ids are negative, never a real tensor's: the id alone says which stand-in it is.
  if (kind === TENSOR) return typeof arg === 'object' && arg !== null && (arg as { id?: unknown }).id === ref && (ref < 0 || arg instanceof TensorClass);
  return false;
}

/** Argument i of the event, which `passes` did not take: fine when it is a text argument as recorded, else PathChanged. */
function checkSlowly(event: OpEvent, i: number, arg: unknown): void {
  const kind = event.kinds[i];
  if (kind === SCALAR) throw new PathChanged(`argument ${i} of ${event.name} is no longer a number`);
  if (kind === TENSOR) throw new PathChanged(`argument ${i} of ${event.name} is another tensor`);
  if (describe(arg, (t) => t.id) !== (event.args[i] as { text: string }).text) throw new PathChanged(`argument ${i} of ${event.name} changed`);
}

/** Checks argument i of the event against what was recorded. */
function check(event: OpEvent, i: number, arg: unknown): void {
  if (!passes(event.kinds[i], event.refs[i], arg)) checkSlowly(event, i, arg);
}

/** The next op is not `name` with `count` arguments: PathChanged saying how. */
function otherOp(name: string, count: number): never {
  const event = activeEvents[activeNext];
  if (event !== undefined && event.name === name && event.kinds.length !== count) throw new PathChanged(`${name} takes ${count} arguments, recorded ${event.kinds.length}`);
  throw new PathChanged(`op ${activeNext} is ${name}, recorded ${event ? event.name : 'nothing'}`);
}

/**
 * An op called during a replay: checks it against the next recorded event and answers with its stand-in.
 * The arguments come one by one (`count` of them, the receiver first for methods), at most MAX_PASSED:
 * ops take one to three, and an array per op call would be most of a replay's allocations.
 */
function answer(name: string, method: boolean, count: number, a: unknown, b: unknown, c: unknown, d: unknown): unknown {
  const event = activeEvents[activeNext];
  if (event === undefined || event.name !== name || event.method !== method || event.kinds.length !== count) return otherOp(name, count);
  const { kinds, refs } = event;
  if (count > 0 && !passes(kinds[0], refs[0], a)) checkSlowly(event, 0, a);
  if (count > 1 && !passes(kinds[1], refs[1], b)) checkSlowly(event, 1, b);
  if (count > 2 && !passes(kinds[2], refs[2], c)) checkSlowly(event, 2, c);
  if (count > 3 && !passes(kinds[3], refs[3], d)) checkSlowly(event, 3, d);
  activeNext++;
  return event.result;
}
/** Arguments (the receiver counted for methods) `answer` takes one by one; an op called with more goes through answerAll. */
const MAX_PASSED = 4;
/** `answer` for an op called with more than MAX_PASSED arguments (rare: a rest array is fine here). */
function answerAll(name: string, method: boolean, all: readonly unknown[]): unknown {
  const event = activeEvents[activeNext];
  if (event === undefined || event.name !== name || event.method !== method || event.kinds.length !== all.length) return otherOp(name, all.length);
  all.forEach((arg, i) => check(event, i, arg));
  activeNext++;
  return event.result;
}

/*
 * The stand-ins' methods and the patched `tf.*` functions use `arguments` only as `arguments.length` and in
 * `f.apply(this, arguments)`: the JIT forwards those from the frame, so the fast path allocates nothing.
 */
for (const name of OP_METHODS) {
  const real = proto[name];
  const many = function (this: unknown, ...args: unknown[]): unknown {
    return answerAll(name, true, [this, ...args]);
  };
  (StandIn.prototype as unknown as Record<string, Fn>)[name] = function (this: unknown, x?: unknown, y?: unknown, z?: unknown) {
    /* eslint-disable prefer-rest-params -- forwarded, never materialised (see above). */
    if (!active) return real.apply(this, arguments as unknown as unknown[]);
    const count = arguments.length + 1;
    return count <= MAX_PASSED ? answer(name, true, count, this, x, y, z) : many.apply(this, arguments as unknown as unknown[]);
    /* eslint-enable prefer-rest-params */
  };
}

/** Arguments that are neither tensors nor scalars, as text (tensors inside arrays by id). */
function describe(arg: unknown, idOf: (t: tf.Tensor) => number | string): string {
  if (arg instanceof TensorClass) return `#${idOf(arg)}`;
  if (Array.isArray(arg)) return `[${arg.map((a) => describe(a, idOf)).join(',')}]`;
  return typeof arg === 'function' ? 'fn' : JSON.stringify(arg) ?? 'undefined';
}

let opDepth = 0;
/** Whether a recorded op of the rule is running (the engine's work then belongs to it). */
export const insideRecordedOp = (): boolean => opDepth > 0;

/** The rule took a different path than the recorded one. */
export class PathChanged extends Error {}

/**
 * Wraps every op function and method while `body` runs for real, noting the top-level calls.
 * `scalarsMade()` counts the scalars the engine has made so far: an op's number arguments are its
 * scalars when it made exactly that many. Returns undefined for the recording when the rule cannot be followed.
 */
export function recordOps<T>(body: () => T, idOf: Map<number, number>, scalarsMade: () => number, outsideOp: () => number): { result: T; ops?: OpRecording } {
  const events: OpEvent[] = [];
  const functions = new Set<string>();
  let followable = true;
  const wrap = (name: string, method: boolean, real: Fn): Fn =>
    function (this: unknown, ...args: unknown[]) {
      if (opDepth > 0) return real.apply(this, args);
      opDepth++;
      const before = scalarsMade();
      let result: unknown;
      try {
        result = real.apply(this, args);
      } finally {
        opDepth--;
      }
      const all = method ? [this, ...args] : args;
      const numbers = all.filter((a) => typeof a === 'number').length;
      const made = scalarsMade() - before;
      if (made !== 0 && made !== numbers) followable = false;
      let scalar = before;
      const spec = all.map((a): ArgSpec => {
        if (a instanceof tf.Tensor) return { tensor: idOf.get(a.id) ?? a.id };
        if (typeof a === 'number' && made > 0) return { scalar: scalar++ };
        return { text: describe(a, (t) => idOf.get(t.id) ?? t.id) };
      });
      const outs = Array.isArray(result) ? result : [result];
      if (!outs.every((t) => t instanceof tf.Tensor)) followable = false;
      const e = events.length;
      const standIns = (outs as tf.Tensor[]).map((t, o) => {
        idOf.set(t.id, opOutputId(e, o));
        return standIn(t.shape, t.dtype, opOutputId(e, o));
      });
      const kinds = Uint8Array.from(spec, (a) => ('tensor' in a ? TENSOR : 'scalar' in a ? SCALAR : TEXT));
      const refs = Int32Array.from(spec, (a) => ('tensor' in a ? a.tensor : 'scalar' in a ? a.scalar : 0));
      events.push({ name, method, args: spec, kinds, refs, result: Array.isArray(result) ? standIns : standIns[0] });
      if (!method) functions.add(name);
      return result;
    };
  const saved = new Map<string, Fn>();
  for (const name of OP_FUNCTIONS) saved.set(name, core[name] as Fn);
  const savedMethods = OP_METHODS.map((name) => proto[name]);
  for (const name of OP_FUNCTIONS) core[name] = wrap(name, false, saved.get(name) as Fn);
  OP_METHODS.forEach((name, k) => (proto[name] = wrap(name, true, savedMethods[k])));
  const outsideBefore = outsideOp();
  try {
    const result = body();
    if (outsideOp() !== outsideBefore) followable = false;
    return { result, ...(followable ? { ops: { events, functions: [...functions], standInIds: idOf } } : {}) };
  } finally {
    for (const [name, fn] of saved) core[name] = fn;
    OP_METHODS.forEach((name, k) => (proto[name] = savedMethods[k]));
  }
}

/**
 * Runs `body` (the update on stand-ins) against `rec`: number arguments go to `scalarsOut`.
 * `guard` replaces the engine while it runs, so an op outside the recording (which would
 * reach the engine) fails with PathChanged instead of computing.
 */
export function replayOps<T>(rec: OpRecording, scalarsOut: Float64Array, guard: <R>(fn: () => R) => R, body: () => T): T {
  if (rec.functions.length > 0 && !answered.has(rec)) {
    for (const name of rec.functions) answerWhileReplaying(name);
    answered.add(rec);
  }
  active = true;
  activeEvents = rec.events;
  activeScalars = scalarsOut;
  activeNext = 0;
  try {
    const result = guard(body);
    if (activeNext !== rec.events.length) throw new PathChanged(`the update called ${activeNext} ops, recorded ${rec.events.length}`);
    return result;
  } finally {
    active = false;
  }
}

const answering = new Set<string>();
/** Recordings whose `tf.*` functions answer already (checked once per recording, not per step). */
const answered = new WeakSet<OpRecording>();
/**
 * Makes `tf.<name>` answer from the active replay (and run as ever outside one). Installed once per op a
 * replayed rule uses and left in place: patching the module on every step would cost more than the replay.
 */
function answerWhileReplaying(name: string): void {
  if (answering.has(name)) return;
  const real = core[name] as Fn;
  const many = (...args: unknown[]): unknown => answerAll(name, false, args);
  core[name] = function (this: unknown, x?: unknown, y?: unknown, z?: unknown, w?: unknown) {
    /* eslint-disable prefer-rest-params -- as the stand-ins' methods: forwarded, never materialised. */
    if (!active) return real.apply(this, arguments as unknown as unknown[]);
    const count = arguments.length;
    return count <= MAX_PASSED ? answer(name, false, count, x, y, z, w) : many.apply(this, arguments as unknown as unknown[]);
    /* eslint-enable prefer-rest-params */
  };
  answering.add(name);
}

interface Substitution {
  readonly rec: OpRecording;
  readonly operand: (scalar: number) => tf.Tensor | undefined;
  next: number;
  depth: number;
}
let substitution: Substitution | undefined;

/** An op called while `substitution` is active: checked against the next recorded event, its scalar arguments replaced. */
function substitute(run: Substitution, name: string, method: boolean, self: unknown, args: unknown[], real: Fn): unknown {
  if (run.depth > 0) return real.apply(self, args);
  const event = run.rec.events[run.next++];
  if (!event || event.name !== name || event.method !== method) throw new PathChanged(`op ${run.next - 1} is ${name}, recorded ${event ? event.name : 'nothing'}`);
  const first = method ? 1 : 0;
  for (let i = 0; i < args.length; i++) {
    const spec = event.args[i + first];
    if (spec && 'scalar' in spec && typeof args[i] === 'number') args[i] = run.operand(spec.scalar) ?? args[i];
  }
  run.depth++;
  try {
    return real.apply(self, args);
  } finally {
    run.depth--;
  }
}

const substitutable = new Set<string>();
/**
 * Makes `tf.<name>` (or the tensor method) substitute while a substitution is active, and run as ever
 * outside one. Installed once per op and left in place: writing to Tensor.prototype every step would
 * invalidate the JIT's caches at every tensor method call in the process.
 */
function substituteWhileActive(name: string, method: boolean): void {
  const key = `${method ? '.' : ''}${name}`;
  if (substitutable.has(key)) return;
  const target = method ? proto : core;
  const real = target[name] as Fn;
  target[name] = function (this: unknown, ...args: unknown[]) {
    return substitution ? substitute(substitution, name, method, this, args, real) : real.apply(this, args);
  };
  substitutable.add(key);
}

/**
 * Runs `body` (the update, for real) along `rec` with some number arguments replaced by tensors:
 * `operand(s)` gives the tensor to pass for scalar s (a column of per-row values, say) or undefined
 * to pass the number. The update must call the recorded ops in order (else PathChanged), so each
 * scalar lands where it was recorded.
 */
export function runSubstituting<T>(rec: OpRecording, operand: (scalar: number) => tf.Tensor | undefined, body: () => T): T {
  for (const name of rec.functions) substituteWhileActive(name, false);
  for (const event of rec.events) if (event.method) substituteWhileActive(event.name, true);
  const run: Substitution = { rec, operand, next: 0, depth: 0 };
  substitution = run;
  try {
    const result = body();
    if (run.next !== rec.events.length) throw new PathChanged(`the update called ${run.next} ops, recorded ${rec.events.length}`);
    return result;
  } finally {
    substitution = undefined;
  }
}
