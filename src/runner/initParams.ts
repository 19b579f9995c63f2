/**
 * Turns an objective's `init` into parameter tensors. Accepted forms:
 * a number, nested number arrays, a tensor, a shape spec `{shape, std?, fill?}`,
 * a record of any of these (named parameters), or a function `(rng) => ...`
 * returning one of them (seeded random init).
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Params } from '../core/paramLayout';
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

function fromShapeSpec(spec: { shape: unknown; std?: unknown; fill?: unknown }, where: string, rng: Rng, tf: typeof tfType): tfType.Tensor {
  const shape = spec.shape;
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new InitError(`${where}.shape must be an array of positive integers, got ${JSON.stringify(shape)}`);
  }
  if (spec.fill !== undefined) {
    if (typeof spec.fill !== 'number' || !Number.isFinite(spec.fill)) throw new InitError(`${where}.fill must be a finite number`);
    return tf.fill(shape, spec.fill);
  }
  if (spec.std !== undefined && (typeof spec.std !== 'number' || !(spec.std >= 0))) throw new InitError(`${where}.std must be a number >= 0`);
  // Weights N(0, 1/fan_in) (LeCun); vectors (biases, points) start at zero unless std is given.
  const std = typeof spec.std === 'number' ? spec.std : shape.length >= 2 ? 1 / Math.sqrt(shape[0]) : 0;
  const size = shape.reduce((a: number, b: number) => a * b, 1);
  return tf.tensor(Array.from({ length: size }, () => (std === 0 ? 0 : rng.normal(0, std))), shape, 'float32');
}

function toTensor(value: unknown, where: string, rng: Rng, tf: typeof tfType): tfType.Tensor {
  if (value instanceof tf.Tensor) {
    if (value.isDisposed) throw new InitError(`${where} is a disposed tensor`);
    const values = value.dataSync();
    if (values.some((v) => !Number.isFinite(v))) throw new InitError(`${where} contains NaN or Infinity`);
    if (value.size === 0) throw new InitError(`${where} is an empty tensor`);
    return value.toFloat().clone();
  }
  if (isShapeSpec(value)) return fromShapeSpec(value, where, rng, tf);
  const shape = shapeOfNested(value, where);
  return tf.tensor(value as number | number[], shape, 'float32');
}

/** Materialises `init`; tensors are new (caller disposes). */
export function initParams(init: unknown, rng: Rng, tf: typeof tfType): Params {
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
    const out: Record<string, tfType.Tensor> = {};
    try {
      for (const name of names) out[name] = toTensor(value[name], `init.${name}`, rng, tf);
    } catch (e) {
      for (const t of Object.values(out)) t.dispose();
      throw e;
    }
    return out;
  }
  return toTensor(value, 'init', rng, tf);
}
