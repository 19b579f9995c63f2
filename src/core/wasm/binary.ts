/**
 * The WebAssembly binary format, as much of it as the loop compiler needs:
 * LEB128 numbers, a code buffer with the instructions it emits (scalar and
 * 128-bit SIMD), and a module of functions that import one memory.
 * Spec: WebAssembly Core Specification 2.0, chapter 5 (binary format).
 */

export type ValType = 'i32' | 'f32' | 'f64' | 'v128';
const VALTYPE: Record<ValType, number> = { i32: 0x7f, f32: 0x7d, f64: 0x7c, v128: 0x7b };

export function unsignedLeb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

export function signedLeb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/**
 * A growing byte array for a module's bytes: appends without spreading arrays (a module of a few
 * hundred loops is hundreds of kilobytes, and building it from spread arrays cost tens of ms per compile).
 */
class ByteWriter {
  private data = new Uint8Array(4096);
  length = 0;

  private room(extra: number): void {
    if (this.length + extra <= this.data.length) return;
    const grown = new Uint8Array(Math.max(2 * this.data.length, this.length + extra));
    grown.set(this.data.subarray(0, this.length));
    this.data = grown;
  }
  byte(b: number): this {
    this.room(1);
    this.data[this.length++] = b;
    return this;
  }
  bytes(values: ArrayLike<number>): this {
    this.room(values.length);
    if (values instanceof Uint8Array) this.data.set(values, this.length);
    else for (let k = 0; k < values.length; k++) this.data[this.length + k] = values[k];
    this.length += values.length;
    return this;
  }
  uleb(value: number): this {
    let v = value >>> 0;
    do {
      const low = v & 0x7f;
      v >>>= 7;
      this.byte(v !== 0 ? low | 0x80 : low);
    } while (v !== 0);
    return this;
  }
  name(s: string): this {
    this.uleb(s.length);
    for (let k = 0; k < s.length; k++) this.byte(s.charCodeAt(k));
    return this;
  }
  /** A vector: its length, then each item written by `item`. */
  vec<T>(items: readonly T[], item: (w: ByteWriter, value: T, k: number) => void): this {
    this.uleb(items.length);
    items.forEach((value, k) => item(this, value, k));
    return this;
  }
  /** A section (or a function body): `id` when given, the byte length of what `body` writes, then it. */
  sized(id: number | undefined, body: (w: ByteWriter) => void): this {
    const inner = new ByteWriter();
    body(inner);
    if (id !== undefined) this.byte(id);
    return this.uleb(inner.length).bytes(inner.result());
  }
  result(): Uint8Array<ArrayBuffer> {
    return this.data.slice(0, this.length);
  }
}

/** Scalar opcodes (one byte). */
export const Op = {
  block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b, br: 0x0c, brIf: 0x0d, call: 0x10, select: 0x1b,
  localGet: 0x20, localSet: 0x21, localTee: 0x22,
  i32Load: 0x28, f32Load: 0x2a, f32Store: 0x38,
  i32Const: 0x41, f32Const: 0x43, f64Const: 0x44,
  i32GeS: 0x4e, i32GtS: 0x4a, i32LtS: 0x48, i32LtU: 0x49, i32LeS: 0x4c,
  f64Eq: 0x61, f64Ne: 0x62, f64Lt: 0x63, f64Gt: 0x64, f64Le: 0x65, f64Ge: 0x66,
  f32Eq: 0x5b, f32Ne: 0x5c, f32Lt: 0x5d, f32Gt: 0x5e, f32Le: 0x5f, f32Ge: 0x60,
  i32Add: 0x6a, i32Sub: 0x6b, i32Mul: 0x6c, i32DivU: 0x6e, i32RemU: 0x70, i32And: 0x71, i32Shl: 0x74,
  f32Abs: 0x8b, f32Neg: 0x8c, f32Ceil: 0x8d, f32Floor: 0x8e, f32Sqrt: 0x91,
  f32Add: 0x92, f32Sub: 0x93, f32Mul: 0x94, f32Div: 0x95, f32Min: 0x96, f32Max: 0x97,
  f64Abs: 0x99, f64Neg: 0x9a, f64Ceil: 0x9b, f64Floor: 0x9c, f64Sqrt: 0x9f,
  f64Add: 0xa0, f64Sub: 0xa1, f64Mul: 0xa2, f64Div: 0xa3, f64Min: 0xa4, f64Max: 0xa5,
  f32DemoteF64: 0xb6, f64PromoteF32: 0xbb,
} as const;

/** SIMD opcodes (after the 0xfd prefix, as unsigned LEB128). */
export const Simd = {
  load: 0x00, store: 0x0b, v128Const: 0x0c, shuffle: 0x0d,
  f32x4Splat: 0x13, f64x2Splat: 0x14,
  f32x4ExtractLane: 0x1f, f32x4ReplaceLane: 0x20, f64x2ExtractLane: 0x21, f64x2ReplaceLane: 0x22,
  f32x4Eq: 0x41, f32x4Ne: 0x42, f32x4Lt: 0x43, f32x4Gt: 0x44, f32x4Le: 0x45, f32x4Ge: 0x46,
  f64x2Eq: 0x47, f64x2Ne: 0x48, f64x2Lt: 0x49, f64x2Gt: 0x4a, f64x2Le: 0x4b, f64x2Ge: 0x4c,
  bitselect: 0x52,
  f32x4DemoteF64x2Zero: 0x5e, f64x2PromoteLowF32x4: 0x5f,
  f32x4Ceil: 0x67, f32x4Floor: 0x68, f64x2Ceil: 0x74, f64x2Floor: 0x75,
  f32x4Abs: 0xe0, f32x4Neg: 0xe1, f32x4Sqrt: 0xe3, f32x4Add: 0xe4, f32x4Sub: 0xe5, f32x4Mul: 0xe6, f32x4Div: 0xe7, f32x4Min: 0xe8, f32x4Max: 0xe9,
  f64x2Abs: 0xec, f64x2Neg: 0xed, f64x2Sqrt: 0xef, f64x2Add: 0xf0, f64x2Sub: 0xf1, f64x2Mul: 0xf2, f64x2Div: 0xf3, f64x2Min: 0xf4, f64x2Max: 0xf5,
  /** Relaxed SIMD proposal: a·b + c, fused or not as the engine chooses (see relaxedSimd.ts). */
  f32x4RelaxedMadd: 0x105,
} as const;

/** One function's body: locals are declared as they are asked for, instructions appended in order. */
export class Code {
  readonly bytes: number[] = [];
  private readonly locals: ValType[] = [];

  constructor(readonly params: readonly ValType[], readonly results: readonly ValType[]) {}

  local(type: ValType): number {
    this.locals.push(type);
    return this.params.length + this.locals.length - 1;
  }
  op(...bytes: number[]): this {
    this.bytes.push(...bytes);
    return this;
  }
  simd(opcode: number, ...immediates: number[]): this {
    return this.op(0xfd, ...unsignedLeb(opcode), ...immediates);
  }
  get(local: number): this {
    return this.op(Op.localGet, ...unsignedLeb(local));
  }
  set(local: number): this {
    return this.op(Op.localSet, ...unsignedLeb(local));
  }
  tee(local: number): this {
    return this.op(Op.localTee, ...unsignedLeb(local));
  }
  i32(value: number): this {
    return this.op(Op.i32Const, ...signedLeb(value));
  }
  f32(value: number): this {
    const b = new Uint8Array(new Float32Array([value]).buffer);
    return this.op(Op.f32Const, ...b);
  }
  f64(value: number): this {
    const b = new Uint8Array(new Float64Array([value]).buffer);
    return this.op(Op.f64Const, ...b);
  }
  /** A load or store with alignment exponent `align` and a static byte offset. */
  memory(opcode: number, align: number, offset: number): this {
    return this.op(opcode, align, ...unsignedLeb(offset));
  }
  simdMemory(opcode: number, offset: number): this {
    return this.simd(opcode, 0, ...unsignedLeb(offset));
  }
  /** i8x16.shuffle taking 32-bit lanes: lanes 0–3 from the first operand, 4–7 from the second. */
  shuffle32(lanes: readonly [number, number, number, number]): this {
    return this.simd(Simd.shuffle, ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]));
  }
  /** The function's body as the code section holds it: its byte length, locals (runs of one type), instructions, end. */
  encodeInto(w: ByteWriter): void {
    const groups: [number, number][] = [];
    for (const type of this.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === VALTYPE[type]) last[0]++;
      else groups.push([1, VALTYPE[type]]);
    }
    w.sized(undefined, (body) => body.vec(groups, (g, [count, type]) => g.uleb(count).byte(type)).bytes(this.bytes).byte(Op.end));
  }
}

/** A function the module imports: `module`.`name` with float64 parameters and one float64 result. */
export interface FunctionImport {
  readonly module: string;
  readonly name: string;
  readonly params: number;
}

/**
 * Every memory the modules import is a shared WebAssembly.Memory with this maximum (4 GiB): worker
 * threads run products over a compiled program's memory (productThreads.ts), and a module must declare
 * a shared import to run on one.
 */
export const SHARED_MAXIMUM_PAGES = 65536;

/**
 * Whether the imported memory is shared (a program's, SHARED_MAXIMUM_PAGES) or not (TensorFlow.js wasm
 * backend's heap): an engine links a module only to a memory whose shared flag matches the import's.
 */
export type MemorySharing = 'shared' | 'unshared';

/**
 * A module of exported functions over one imported memory ("env"."memory", at least `pages` 64 KiB pages,
 * shared unless `sharing` says otherwise). Imported functions come first in the function index space (0, 1, …),
 * then `functions`.
 */
export function encodeModule(
  functions: readonly { name: string; code: Code }[], pages: number, imports: readonly FunctionImport[] = [], sharing: MemorySharing = 'shared',
): Uint8Array<ArrayBuffer> {
  const signature = (w: ByteWriter, params: readonly ValType[], results: readonly ValType[]) => {
    w.byte(0x60).vec(params, (v, t) => v.byte(VALTYPE[t])).vec(results, (v, t) => v.byte(VALTYPE[t]));
  };
  const types: { params: readonly ValType[]; results: readonly ValType[] }[] = [
    ...imports.map((fn) => ({ params: new Array<ValType>(fn.params).fill('f64'), results: ['f64'] as ValType[] })),
    ...functions.map(({ code }) => ({ params: code.params, results: code.results })),
  ];
  const first = imports.length;
  const w = new ByteWriter().bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  w.sized(1, (s) => s.vec(types, (v, t) => signature(v, t.params, t.results)));
  w.sized(2, (s) => {
    s.uleb(imports.length + 1);
    imports.forEach((fn, k) => s.name(fn.module).name(fn.name).byte(0x00).uleb(k));
    // Shared, with the largest maximum: a shared memory may only be imported as shared, and any maximum up to 4 GiB fits.
    // Unshared, with no maximum: any memory of at least `pages` pages fits.
    s.name('env').name('memory').byte(0x02);
    if (sharing === 'shared') s.byte(0x03).uleb(pages).uleb(SHARED_MAXIMUM_PAGES);
    else s.byte(0x00).uleb(pages);
  });
  w.sized(3, (s) => s.vec(functions, (v, _, k) => v.uleb(first + k)));
  w.sized(7, (s) => s.vec(functions, (v, { name }, k) => v.name(name).byte(0x00).uleb(first + k)));
  w.sized(10, (s) => s.vec(functions, (v, { code }) => code.encodeInto(v)));
  return w.result();
}
