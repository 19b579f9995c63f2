/**
 * Shape-generic programs: a computation traced at two small lengths of its parameter vector is the
 * same program at every length when the two traces differ only where that length appears (shapes,
 * attributes, the length itself as a scalar such as a mean's divisor, constants of that length that
 * hold one value throughout). Then the program is traced and checked against TensorFlow.js at a
 * small length and run at full length with the length substituted: tracing, checking and building
 * index maps cost microseconds per parameter at n = 1e7 (seconds), the loop itself does not change.
 */
import { scheduleOf, type CompileOptions, type CompiledProgram } from './compileProgram';
import { generateCode, type GeneratedCode } from './generateCode';
import { instantiateProgram } from './instantiateProgram';
import type { KernelNode, Program, ValueId, ValueInfo, ValueSource } from './program';
import { wasmSimdSupported } from '../wasm/loopModule';

/** Below this many parameters a program is traced and checked at its own size (it is cheap there). */
export const SMALL_TRACE_MIN = 1 << 16;

/**
 * The two small lengths to trace at for a vector of length n: long enough that every fused loop
 * runs as WebAssembly at both (generateCode's WASM_MIN_SIZE), congruent to n modulo 16 so the SIMD
 * loops' remainder is the one the full length has, and unlikely to equal another dimension.
 */
export function smallSizesFor(n: number): readonly [number, number] {
  // 4640 + n mod 16 and 48 more: no power of two, no round number a data set's dimension is likely to be.
  const first = 4640 + (n % 16);
  return [first, first + 48];
}

type Value = ValueInfo & { readonly source: ValueSource };

/** The program's values in a canonical order (inputs, then each node's inputs and outputs, then outputs). */
function canonicalValues(p: Program): Value[] {
  const seen = new Set<ValueId>();
  const order: Value[] = [];
  const visit = (id: ValueId) => {
    if (seen.has(id)) return;
    seen.add(id);
    const value = p.values.get(id);
    if (value) order.push(value);
  };
  p.inputs.forEach(visit);
  for (const node of p.nodes) {
    node.inputs.forEach((i) => visit(i.value));
    node.outputs.forEach(visit);
  }
  p.outputs.forEach(visit);
  return order;
}

/** `value` with every number equal to `from` (at any depth of arrays and records) replaced by `to`. */
export function substituteLength<T>(value: T, from: number, to: number): T {
  if (typeof value === 'number') return (value === from ? to : value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => substituteLength(v, from, to)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteLength(v, from, to)])) as T;
  }
  return value;
}

const uniformValue = (values: Float32Array): number | undefined => {
  for (let i = 1; i < values.length; i++) if (!Object.is(values[i], values[0])) return undefined;
  return values.length > 0 ? values[0] : undefined;
};

const sameValues = (a: Float32Array, b: Float32Array): boolean => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

/** How a constant of trace a becomes the same constant at another length. */
type ConstantRule = { kind: 'same' } | { kind: 'length' } | { kind: 'uniform'; value: number };

/** Why constant x (at length na) and y (at nb) are not one constant of the length; or how to resize it. */
function constantRule(x: Float32Array, y: Float32Array, lengthDependent: boolean, na: number, nb: number): ConstantRule | string {
  if (!lengthDependent) {
    if (sameValues(x, y)) return { kind: 'same' };
    if (x.length === 1 && x[0] === Math.fround(na) && y[0] === Math.fround(nb)) return { kind: 'length' };
    return 'a constant changes with the length in another way (random numbers, or values computed from it)';
  }
  const value = uniformValue(x);
  if (value === undefined || !Object.is(value, uniformValue(y))) return 'a constant of the vector\'s length holds different values';
  return { kind: 'uniform', value };
}

/** Why the shapes of one value at length na and nb are not the same shape of the length; undefined when they are. */
function shapeMismatch(a: readonly number[], b: readonly number[], na: number, nb: number): string | undefined {
  if (a.length !== b.length) return 'a value\'s rank changes with the length';
  for (let d = 0; d < a.length; d++) {
    if (b[d] !== (a[d] === na ? nb : a[d]) || (b[d] === nb) !== (a[d] === na)) return `a dimension ${a[d]} becomes ${b[d]} (not the length itself)`;
  }
  return undefined;
}

function nodeMismatch(x: KernelNode, y: KernelNode, na: number, nb: number): string | undefined {
  if (x.kernel !== y.kernel || x.inputs.length !== y.inputs.length || x.outputs.length !== y.outputs.length) return `kernel ${x.kernel} became ${y.kernel}`;
  if (x.inputs.some((input, i) => input.name !== y.inputs[i].name)) return `kernel ${x.kernel}'s inputs changed`;
  if (JSON.stringify(substituteLength(x.attrs, na, nb)) !== JSON.stringify(y.attrs)) return `kernel ${x.kernel}'s attributes depend on the length in another way`;
  return undefined;
}

export interface GenericProgram {
  /**
   * The program traced at length `na`, with that length replaced by `n` everywhere it appeared. Its
   * inputs are the traced ones, then `lengthInputs` scalars that take the length (a mean's divisor):
   * inputs, not constants, so that no length-derived number is folded into the code (the same code
   * at every length).
   */
  at(n: number): Program;
  readonly lengthInputs: number;
}

/** The extra inputs of GenericProgram.at(n): the length as a float32 scalar, once per length input. */
export const lengthInputValues = (program: GenericProgram, n: number): Float32Array[] => Array.from({ length: program.lengthInputs }, () => Float32Array.of(n));

/**
 * Whether program b (traced with the vector at length nb) is program a (at na) with the length
 * replaced: the same kernels with the same wiring, attributes, dtypes and constants. Returns a
 * reason when it is not (the caller then traces at full length).
 */
export function sizeGeneric(a: Program, na: number, b: Program, nb: number): GenericProgram | { reason: string } {
  if (a.nodes.length !== b.nodes.length || a.inputs.length !== b.inputs.length || a.outputs.length !== b.outputs.length) {
    return { reason: 'it runs other kernels at another length' };
  }
  for (let k = 0; k < a.nodes.length; k++) {
    const why = nodeMismatch(a.nodes[k], b.nodes[k], na, nb);
    if (why) return { reason: why };
  }
  const va = canonicalValues(a);
  const vb = canonicalValues(b);
  if (va.length !== vb.length) return { reason: 'its values are wired differently at another length' };
  const position = (values: Value[]) => new Map(values.map((v, k) => [v.id, k]));
  const [pa, pb] = [position(va), position(vb)];
  const wiring = (p: Program, at: Map<ValueId, number>) =>
    JSON.stringify([p.inputs.map((id) => at.get(id)), p.outputs.map((id) => at.get(id)), p.nodes.map((n) => [n.inputs.map((i) => at.get(i.value)), n.outputs.map((o) => at.get(o))])]);
  if (wiring(a, pa) !== wiring(b, pb)) return { reason: 'its values are wired differently at another length' };
  const constants = new Map<ValueId, ConstantRule>();
  for (let k = 0; k < va.length; k++) {
    const [x, y] = [va[k], vb[k]];
    if (x.dtype !== y.dtype || x.source.kind !== y.source.kind) return { reason: 'a value changes its kind or dtype with the length' };
    const why = shapeMismatch(x.shape, y.shape, na, nb);
    if (why) return { reason: why };
    if (x.source.kind === 'constant' && y.source.kind === 'constant') {
      const rule = constantRule(x.source.values, y.source.values, x.shape.includes(na), na, nb);
      if (typeof rule === 'string') return { reason: rule };
      constants.set(x.id, rule);
    }
  }
  const lengthIds = [...constants].filter(([, rule]) => rule.kind === 'length').map(([id]) => id);
  return { at: (n) => resize(a, na, n, constants, lengthIds), lengthInputs: lengthIds.length };
}

/**
 * Program p (traced at length `from`) at length `to`. A constant of the length that holds one value
 * becomes a Fill kernel (compiled as a literal, no buffer of the length); the length itself an input.
 */
function resize(p: Program, from: number, to: number, constants: ReadonlyMap<ValueId, ConstantRule>, lengthIds: readonly ValueId[]): Program {
  const fills: KernelNode[] = [];
  const shift = [...constants.values()].filter((r) => r.kind === 'uniform').length;
  const values = new Map<ValueId, Value>();
  for (const [id, value] of p.values) {
    const shape = substituteLength(value.shape, from, to);
    const rule = constants.get(id);
    let source = value.source;
    if (source.kind === 'node') source = { ...source, node: source.node + shift };
    if (rule?.kind === 'length') source = { kind: 'input', index: p.inputs.length + lengthIds.indexOf(id) };
    if (rule?.kind === 'uniform') {
      source = { kind: 'node', node: fills.length, output: 0 };
      fills.push({ kernel: 'Fill', inputs: [], attrs: { shape, value: rule.value, dtype: value.dtype }, outputs: [id] });
    }
    values.set(id, { ...value, shape, source });
  }
  const nodes = [...fills, ...p.nodes.map((node) => ({ ...node, attrs: substituteLength(node.attrs, from, to) }))];
  return { values, nodes, inputs: [...p.inputs, ...lengthIds], outputs: p.outputs };
}

/** A compiled program's code with the length written as `n`: equal texts at two lengths are one program. */
function programText(code: GeneratedCode, length: number): string {
  const text = `${code.loops}/${code.jsLoops}\n${code.source}\n${JSON.stringify(code.wasmLoops)}`;
  return text.replace(new RegExp(`\\b${length}\\b`, 'g'), 'n');
}

/**
 * compileProgram's stages (compileProgram.ts), keeping the generated code's text with the length as `n`:
 * two programs of one length-generic computation are the same program when their texts are equal.
 */
export function compileWithText(program: Program, options: CompileOptions = {}): { compiled: CompiledProgram; text: (length: number) => string } {
  const schedule = scheduleOf(program, options.squaredNormOf);
  const wasm = options.wasm ?? wasmSimdSupported();
  let code = generateCode(schedule, wasm);
  let compiled = instantiateProgram(schedule, code);
  if (!compiled) {
    // Beyond one 32-bit memory (4 GiB), or when the engine cannot reserve it: the same program in JS.
    code = generateCode(schedule, false);
    compiled = instantiateProgram(schedule, code) as CompiledProgram;
  }
  const generated = code;
  return { compiled, text: (length) => programText(generated, length) };
}
