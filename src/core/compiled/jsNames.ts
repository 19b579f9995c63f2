/**
 * The names generated JS uses, chosen to say what they hold: the program
 * function's parameters, one constant per buffer (named after its role:
 * input0, output1, constant0, temp4) and per index map (map2), a loop's
 * locals after the kernel that computes them (multiply12, gather3), its
 * accumulators after their reduction (sum0, sumOfSquares1), and one element
 * read before the loop after where it is (input0At5).
 */
import type { BufferSpec } from './schedule';

/** The generated function's parameters, in order (instantiateProgram.ts passes them). */
export const PARAMETERS = ['buffers', 'indexMaps', 'kernels', 'wasmLoops', 'squaredNorms'] as const;
export const [BUFFERS, MAPS, KERNELS, WASM_LOOPS, SQUARED_NORMS] = PARAMETERS;

export class JsNames {
  private readonly buffers: readonly string[];
  private readonly locals = new Map<number, string>();
  private readonly counts = new Map<string, number>();

  constructor(buffers: readonly BufferSpec[]) {
    const perRole = new Map<string, number>();
    this.buffers = buffers.map(({ role }) => {
      const k = perRole.get(role) ?? 0;
      perRole.set(role, k + 1);
      return `${role}${k}`;
    });
  }
  buffer(buf: number): string {
    return this.buffers[buf];
  }
  map(k: number): string {
    return `map${k}`;
  }
  /** Names local `id` after what computes it (a kernel: Multiply gives multiply<id>). */
  defineLocal(id: number, what: string): string {
    const name = `${what[0].toLowerCase()}${what.slice(1)}${id}`;
    this.locals.set(id, name);
    return name;
  }
  local(id: number): string {
    const name = this.locals.get(id);
    if (name === undefined) throw new Error(`local ${id} is read before it is defined`);
    return name;
  }
  /** base0, base1, …: accumulators. */
  numbered(base: string): string {
    const k = this.counts.get(base) ?? 0;
    this.counts.set(base, k + 1);
    return `${base}${k}`;
  }
  /** The constant holding element `at` of buffer `buf`, read once before a loop. */
  element(buf: number, at: number): string {
    return `${this.buffer(buf)}At${at}`;
  }
  /** `const input0 = buffers[0];` … for every buffer and map: the function's first lines. */
  prologue(maps: number): string[] {
    return [
      ...this.buffers.map((name, k) => `const ${name} = ${BUFFERS}[${k}];`),
      ...Array.from({ length: maps }, (_, k) => `const ${this.map(k)} = ${MAPS}[${k}];`),
    ];
  }
}
