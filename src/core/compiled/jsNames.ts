/**
 * The names generated JS uses: the program function's parameters, one
 * constant per buffer and index map, and the locals of loops.
 */
import type { BufferSpec } from './schedule';

/** The generated function's parameters, in order. */
export const PARAMETERS = ['B', 'M', 'K', 'W', 'S'] as const;
export const [BUFFERS, MAPS, KERNELS, WASM_LOOPS, SQUARED_NORMS] = PARAMETERS;

export class JsNames {
  private count = 0;
  constructor(private readonly buffers: readonly BufferSpec[]) {}
  buffer(buf: number): string {
    return `b${buf}`;
  }
  map(k: number): string {
    return `m${k}`;
  }
  local(id: number): string {
    return `v${id}`;
  }
  /** A fresh name for a loop's hoisted read or accumulator. */
  fresh(prefix: string): string {
    return `${prefix}${this.count++}`;
  }
  /** `const b0 = B[0];` … for every buffer and map, the function's first lines. */
  prologue(maps: number): string[] {
    return [
      ...this.buffers.map((_, k) => `const ${this.buffer(k)} = ${BUFFERS}[${k}];`),
      ...Array.from({ length: maps }, (_, k) => `const ${this.map(k)} = ${MAPS}[${k}];`),
    ];
  }
}
