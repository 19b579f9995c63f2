/**
 * Turns an objective's `init` into the parameters' initial values (host arrays). Accepted forms:
 * a number, nested number arrays, a tensor, a shape spec `{shape, std?, fill?}`,
 * a record of any of these (named parameters), or a function `(rng) => ...`
 * returning one of them (seeded random init).
 */
import type * as tfType from '@tensorflow/tfjs';
import { ParamLayout } from '../core/paramLayout';
import type { Rng } from './rng';

/** Thrown with a message naming the offending part of `init` (the caller adds the objective's location). */
export class InitError extends Error {}

const SPEC_KEYS = new Set(['shape', 'std', 'fill']);

export function isShapeSpec(v: unknown): v is { shape: number[]; std?: number; fill?: number } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'shape' in v && Object.keys(v).every((k) => SPEC_KEYS.has(k));
}

function isPlainRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

/** Shape of a rectangular nested array of finite numbers, or an InitError naming the first bad element. */
export function shapeOfNested(value: unknown, where: string): number[] {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InitError(`${where} is ${value}; every initial value must be a finite number`);
    return [];
  }
  if (!Array.isArray(value)) throw new InitError(`${where} is ${describe(value)}, expected a number or an array of numbers`);
  if (value.length === 0) throw new InitError(`${where} is an empty array`);
  const inner = shapeOfNested(value[0], `${where}[0]`);
  for (let i = 1; i < value.length; i++) {
    const s = shapeOfNested(value[i], `${where}[${i}]`);
    if (s.join(',') !== inner.join(',')) {
      throw new InitError(`${where} is ragged: ${where}[0] has shape [${inner}] but ${where}[${i}] has shape [${s}]`);
    }
  }
  return [value.length, ...inner];
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}…` : v)}`;
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

/** One parameter tensor's initial values, made on the host (no TensorFlow.js tensor, no read-back). */
export interface InitialParam {
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** The parameters' initial values: one unnamed tensor, or named ones in declaration order. */
export type InitialParams = { readonly single: true; readonly param: InitialParam } | { readonly single: false; readonly params: Readonly<Record<string, InitialParam>> };

const sizeOfShape = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

function fromShapeSpec(spec: { shape: unknown; std?: unknown; fill?: unknown }, where: string, rng: Rng): InitialParam {
  const shape = spec.shape;
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new InitError(`${where}.shape must be an array of positive integers, got ${JSON.stringify(shape)}`);
  }
  const size = sizeOfShape(shape);
  if (spec.fill !== undefined) {
    if (typeof spec.fill !== 'number' || !Number.isFinite(spec.fill)) throw new InitError(`${where}.fill must be a finite number`);
    // A plain fill: at n = 1e7 a backend tensor, its cast and its read-back cost ~0.6 s and 160 MB.
    return { shape, values: new Float32Array(size).fill(spec.fill) };
  }
  if (spec.std !== undefined && (typeof spec.std !== 'number' || !(spec.std >= 0))) throw new InitError(`${where}.std must be a number >= 0`);
  // Weights N(0, 1/fan_in) (LeCun); vectors (biases, points) start at zero unless std is given.
  const std = typeof spec.std === 'number' ? spec.std : shape.length >= 2 ? 1 / Math.sqrt(shape[0]) : 0;
  const values = new Float32Array(size);
  if (std !== 0) for (let i = 0; i < size; i++) values[i] = rng.normal(0, std);
  return { shape, values };
}

/** A rectangular nested array's numbers in row-major order, as float32. */
function flattenNested(value: unknown, size: number): Float32Array {
  const out = new Float32Array(size);
  let k = 0;
  const visit = (v: unknown) => {
    if (typeof v === 'number') out[k++] = v;
    else for (const inner of v as unknown[]) visit(inner);
  };
  visit(value);
  return out;
}

function toInitialParam(value: unknown, where: string, rng: Rng, tf: typeof tfType): InitialParam {
  if (value instanceof tf.Tensor) {
    if (value.isDisposed) throw new InitError(`${where} is a disposed tensor`);
    const values = value.dataSync();
    if (values.some((v) => !Number.isFinite(v))) throw new InitError(`${where} contains NaN or Infinity`);
    if (value.size === 0) throw new InitError(`${where} is an empty tensor`);
    return { shape: value.shape, values: Float32Array.from(values) };
  }
  if (isShapeSpec(value)) return fromShapeSpec(value, where, rng);
  const shape = shapeOfNested(value, where);
  return { shape, values: flattenNested(value, sizeOfShape(shape)) };
}

/** Materialises `init` as host arrays (float32, as a float32 tensor of it would hold). */
export function initParams(init: unknown, rng: Rng, tf: typeof tfType): InitialParams {
  let value = init;
  if (typeof value === 'function') {
    try {
      value = (value as (r: Rng) => unknown)(rng);
    } catch (e) {
      throw new InitError(`init(rng) threw: ${(e as Error).message}`);
    }
  }
  if (value === undefined || value === null) {
    throw new InitError(`init is ${String(value)}; give the starting point, e.g. \`f.init = [0, 0]\``);
  }
  if (isPlainRecord(value) && !isShapeSpec(value)) {
    const names = Object.keys(value);
    if (names.length === 0) throw new InitError('init is an empty record; name at least one parameter');
    const params: Record<string, InitialParam> = {};
    for (const name of names) params[name] = toInitialParam(value[name], `init.${name}`, rng, tf);
    return { single: false, params };
  }
  return { single: true, param: toInitialParam(value, 'init', rng, tf) };
}

/** The layout of the initial parameters and their flat values (a single tensor's own array, no copy). */
export function flatInitialParams(init: InitialParams): { layout: ParamLayout; x0Values: Float32Array } {
  if (init.single) return { layout: ParamLayout.ofShapes({ single: true, entries: [{ name: '', shape: init.param.shape }] }), x0Values: init.param.values };
  const entries = Object.entries(init.params).map(([name, p]) => ({ name, shape: p.shape }));
  const layout = ParamLayout.ofShapes({ single: false, entries });
  const x0Values = new Float32Array(layout.size);
  layout.slots.forEach((slot) => x0Values.set(init.params[slot.name].values, slot.offset));
  return { layout, x0Values };
}
