/**
 * A traced TensorFlow.js computation as data: the kernels it ran, in order,
 * with their attributes and static shapes. Produced by traceProgram, turned
 * into plain JS by compileProgram.
 */
export type ValueId = number;

export interface ValueInfo {
  readonly id: ValueId;
  readonly shape: readonly number[];
  readonly dtype: string;
}

export type ValueSource =
  | { readonly kind: 'input'; readonly index: number }
  | { readonly kind: 'constant'; readonly values: Float32Array }
  | { readonly kind: 'node'; readonly node: number; readonly output: number };

export interface KernelNode {
  readonly kernel: string;
  /** Inputs by the kernel's input names, in tfjs's order. */
  readonly inputs: readonly { readonly name: string; readonly value: ValueId }[];
  readonly attrs: Readonly<Record<string, unknown>>;
  readonly outputs: readonly ValueId[];
}

export interface Program {
  readonly values: ReadonlyMap<ValueId, ValueInfo & { readonly source: ValueSource }>;
  readonly nodes: readonly KernelNode[];
  readonly inputs: readonly ValueId[];
  readonly outputs: readonly ValueId[];
}

/** Why a computation cannot run as plain JS; the tensor path is used instead. */
export class NotCompilable extends Error {}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The axes a kernel attribute names (all of them when absent), negative ones counted from the end. */
export function axesOf(value: unknown, rank: number): number[] {
  if (value === null || value === undefined) return Array.from({ length: rank }, (_, d) => d);
  const list = Array.isArray(value) ? (value as number[]) : [value as number];
  return list.map((d) => (d < 0 ? d + rank : d));
}
