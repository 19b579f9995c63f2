import { strict as assert } from 'node:assert';
import { Code, Op, encodeModule, signedLeb, unsignedLeb } from '../../../../src/core/wasm/binary';

/**
 * The binary encoders: LEB128 at the edges of each byte count and of the
 * 32-bit range, checked against the spec's examples and by decoding, and by
 * WebAssembly itself (constants and memory offsets read back through real
 * instructions).
 */

function decodeUnsigned(bytes: readonly number[]): number {
  let value = 0;
  bytes.forEach((b, k) => (value += (b & 0x7f) * 2 ** (7 * k)));
  return value;
}

function decodeSigned(bytes: readonly number[]): number {
  const unsigned = decodeUnsigned(bytes);
  const bits = 7 * bytes.length;
  return (bytes[bytes.length - 1] & 0x40) !== 0 ? unsigned - 2 ** bits : unsigned;
}

/** Every byte but the last has the continuation bit; the last does not. */
function assertWellFormed(bytes: readonly number[], what: string): void {
  bytes.forEach((b, k) => {
    assert.ok(b >= 0 && b <= 0xff, `${what}: byte ${k} is ${b}`);
    assert.equal((b & 0x80) !== 0, k < bytes.length - 1, `${what}: continuation bit of byte ${k}`);
  });
}

const UNSIGNED_EDGES = [0, 1, 63, 64, 127, 128, 129, 255, 256, 16383, 16384, 2 ** 21 - 1, 2 ** 21, 2 ** 28 - 1, 2 ** 28, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1];
const SIGNED_EDGES = [0, 1, -1, 63, 64, -64, -65, 127, 128, -128, -129, 8191, 8192, -8192, -8193, 2 ** 20 - 1, 2 ** 20, -(2 ** 20), -(2 ** 20) - 1, 2 ** 27, -(2 ** 27) - 1, 2 ** 31 - 1, -(2 ** 31)];

describe('WebAssembly binary encoding (binary.ts)', () => {
  it('unsignedLeb: the spec example, byte-count edges and the u32 maximum', () => {
    assert.deepEqual(unsignedLeb(0), [0x00]);
    assert.deepEqual(unsignedLeb(127), [0x7f]);
    assert.deepEqual(unsignedLeb(128), [0x80, 0x01]);
    assert.deepEqual(unsignedLeb(624485), [0xe5, 0x8e, 0x26]);
    assert.deepEqual(unsignedLeb(2 ** 32 - 1), [0xff, 0xff, 0xff, 0xff, 0x0f]);
    for (const v of UNSIGNED_EDGES) {
      const bytes = unsignedLeb(v);
      assertWellFormed(bytes, `unsignedLeb(${v})`);
      assert.equal(decodeUnsigned(bytes), v, `unsignedLeb(${v}) decodes`);
      assert.equal(bytes.length, Math.max(1, Math.ceil(Math.log2(v + 1) / 7)), `unsignedLeb(${v}) is minimal`);
    }
  });

  it('signedLeb: sign bit edges of every byte count and the i32 range', () => {
    assert.deepEqual(signedLeb(0), [0x00]);
    assert.deepEqual(signedLeb(-1), [0x7f]);
    assert.deepEqual(signedLeb(63), [0x3f]);
    assert.deepEqual(signedLeb(64), [0xc0, 0x00]);
    assert.deepEqual(signedLeb(-64), [0x40]);
    assert.deepEqual(signedLeb(-65), [0xbf, 0x7f]);
    assert.deepEqual(signedLeb(-123456), [0xc0, 0xbb, 0x78]);
    assert.deepEqual(signedLeb(2 ** 31 - 1), [0xff, 0xff, 0xff, 0xff, 0x07]);
    assert.deepEqual(signedLeb(-(2 ** 31)), [0x80, 0x80, 0x80, 0x80, 0x78]);
    for (const v of SIGNED_EDGES) {
      const bytes = signedLeb(v);
      assertWellFormed(bytes, `signedLeb(${v})`);
      assert.equal(decodeSigned(bytes), v, `signedLeb(${v}) decodes`);
      // Minimal: one byte fewer could not hold v (7k − 1 value bits and a sign).
      const k = bytes.length - 1;
      if (k > 0) assert.ok(v < -(2 ** (7 * k - 1)) || v >= 2 ** (7 * k - 1), `signedLeb(${v}) is minimal`);
    }
  });

  it('i32.const of edge values: what WebAssembly decodes is the value encoded', () => {
    const functions = SIGNED_EDGES.map((v, k) => ({ name: `c${k}`, code: new Code([], ['i32']).i32(v) }));
    const bytes = encodeModule(functions, 1);
    assert.ok(WebAssembly.validate(bytes));
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
    const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports as Record<string, () => number>;
    SIGNED_EDGES.forEach((v, k) => assert.equal(exports[`c${k}`](), v, `i32.const ${v}`));
  });

  it('f32 and f64 constants keep every bit (NaN, −0, subnormals, extremes)', () => {
    const values = [NaN, -0, 0, Infinity, -Infinity, 5e-324, 1e-45, 0.1, -3.4028234663852886e38, 1.7976931348623157e308];
    const functions = values.flatMap((v, k) => [
      { name: `d${k}`, code: new Code([], ['f64']).f64(v) },
      { name: `s${k}`, code: new Code([], ['f32']).f32(v) },
    ]);
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
    const exports = new WebAssembly.Instance(new WebAssembly.Module(encodeModule(functions, 1)), { env: { memory } }).exports as Record<string, () => number>;
    values.forEach((v, k) => {
      assert.ok(Object.is(exports[`d${k}`](), v), `f64.const ${v}`);
      assert.ok(Object.is(exports[`s${k}`](), Math.fround(v)), `f32.const ${v}`);
    });
  });

  it('memory offsets past one LEB byte, locals in groups and past 127, parameters', () => {
    const offsets = [0, 4, 124, 128, 16380, 16384, 65532];
    // (param i32 f64) (result f32): loads at base + offset, adds the f64 parameter (demoted) and a local set far down the list.
    const functions = offsets.map((offset, k) => {
      const code = new Code(['i32', 'f64'], ['f32']);
      const locals = Array.from({ length: 130 }, (_, j) => code.local(j % 3 === 0 ? 'f32' : 'i32'));
      const far = locals[129];
      code.f32(0.5).set(far);
      code.get(0).memory(Op.f32Load, 2, offset).get(1).op(Op.f32DemoteF64, Op.f32Add).get(far).op(Op.f32Add);
      return { name: `m${k}`, code };
    });
    const bytes = encodeModule(functions, 2);
    assert.ok(WebAssembly.validate(bytes));
    const memory = new WebAssembly.Memory({ initial: 2, maximum: 65536, shared: true });
    const f32 = new Float32Array(memory.buffer);
    offsets.forEach((offset, k) => (f32[(offset + 8) / 4] = k + 1));
    const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports as Record<string, (a: number, b: number) => number>;
    offsets.forEach((offset, k) => assert.equal(exports[`m${k}`](8, 10), k + 1 + 10 + 0.5, `load at offset ${offset}`));
  });

  it('a SIMD opcode of two LEB bytes (f32x4.add, 0xe4) runs', () => {
    // (result f32): extract lane 2 of splat(1.25) + splat(2).
    const code = new Code([], ['f32']);
    code.f32(1.25).simd(0x13).f32(2).simd(0x13).simd(0xe4).simd(0x1f, 2);
    assert.deepEqual(unsignedLeb(0xe4), [0xe4, 0x01]);
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
    const bytes = encodeModule([{ name: 'f', code }], 1);
    assert.ok(WebAssembly.validate(bytes));
    const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports as Record<string, () => number>;
    assert.equal(exports.f(), 3.25);
  });

  it('imported functions come first in the index space, exports count past them', () => {
    // (param f64) (result f64): call import 1 (Math.sqrt) on the argument, then import 0 (Math.floor).
    const code = new Code(['f64'], ['f64']).get(0).op(0x10, 1).op(0x10, 0);
    const imports = [{ module: 'Math', name: 'floor', params: 1 }, { module: 'Math', name: 'sqrt', params: 1 }];
    const bytes = encodeModule([{ name: 'first', code }, { name: 'second', code: new Code([], ['f64']).f64(2).op(0x10, 1) }], 1, imports);
    assert.ok(WebAssembly.validate(bytes));
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
    const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory }, Math: Math as unknown as WebAssembly.ModuleImports }).exports as Record<string, (x?: number) => number>;
    assert.equal(exports.first(10), 3);
    assert.equal(exports.second(), Math.SQRT2);
  });

  it('a module past the writer\'s first 4 KiB and past two-byte section lengths: every function runs', () => {
    // 600 functions, each (result f64) the sum of 40 f64 constants: ~220 KB of code, bodies > 127 bytes.
    const functions = Array.from({ length: 600 }, (_, k) => {
      const code = new Code([], ['f64']).f64(k);
      for (let j = 1; j < 40; j++) code.f64(j / 8).op(Op.f64Add);
      return { name: `f${k}`, code };
    });
    const bytes = encodeModule(functions, 1, [{ module: 'Math', name: 'exp', params: 1 }]);
    assert.ok(bytes.length > 200_000, `${bytes.length} bytes`);
    assert.ok(WebAssembly.validate(bytes));
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
    const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory }, Math: Math as unknown as WebAssembly.ModuleImports }).exports as Record<string, () => number>;
    let expected = 0;
    for (let j = 1; j < 40; j++) expected += j / 8;
    functions.forEach((_, k) => assert.equal(exports[`f${k}`](), k + expected, `f${k}`));
  });

  it('a memory import is shared or not as asked: each module links only to a memory of its kind, an unshared one of any maximum and after growth', () => {
    // (param i32) (result f32): the float32 at the address.
    const load = () => [{ name: 'load', code: new Code(['i32'], ['f32']).get(0).memory(Op.f32Load, 2, 0) }];
    const shared = new WebAssembly.Module(encodeModule(load(), 1));
    const unshared = new WebAssembly.Module(encodeModule(load(), 1, [], 'unshared'));
    const sharedMemory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
    const plain = new WebAssembly.Memory({ initial: 1 });
    const bounded = new WebAssembly.Memory({ initial: 2, maximum: 3 });
    assert.throws(() => new WebAssembly.Instance(shared, { env: { memory: plain } }), WebAssembly.LinkError);
    assert.throws(() => new WebAssembly.Instance(unshared, { env: { memory: sharedMemory } }), WebAssembly.LinkError);
    for (const memory of [plain, bounded]) {
      const fn = new WebAssembly.Instance(unshared, { env: { memory } }).exports.load as (at: number) => number;
      memory.grow(1);
      // After growth the instance reads the grown memory (the old buffer is detached, the Memory the same).
      new Float32Array(memory.buffer)[memory.buffer.byteLength / 4 - 1] = 2.5;
      assert.equal(fn(memory.buffer.byteLength - 4), 2.5);
    }
  });
});
