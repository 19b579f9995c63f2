/**
 * WebAssembly relaxed SIMD's fused multiply-add, when this engine has it and it fuses.
 * `f32x4.relaxed_madd(a, b, c)` is a·b + c, rounded once or twice as the engine chooses (Relaxed SIMD
 * proposal, "relaxed_madd"): V8 emits vfmadd on CPUs with FMA (one rounding) and mul + add elsewhere.
 * The products use it only when a probe shows one rounding, so their bits are the fused product's on every
 * machine that uses it (and the same run to run on one machine); elsewhere they keep mul + add.
 * Node 20's V8 has the op behind --experimental-wasm-relaxed-simd (the process entry points set it, see
 * src/runner/wasmFlags.ts); newer Node and VS Code's Electron have it on by default. Core only probes.
 */
import { Code, Op, Simd, unsignedLeb } from './binary';

let fuses: boolean | undefined;

/**
 * Whether `f32x4.relaxed_madd` validates and rounds once: (1 + 2⁻¹²)² − (1 + 2⁻¹¹) is 2⁻²⁴ fused, while
 * the product rounded to float32 first (1 + 2⁻¹¹, a tie to even) leaves 0.
 */
export function relaxedMaddFuses(): boolean {
  if (fuses === undefined) fuses = relaxedMaddValidates() && probe() === 2 ** -24;
  return fuses;
}

/** Whether this engine has relaxed SIMD's f32x4.relaxed_madd at all (fused or not). */
export function relaxedMaddValidates(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(probeModule());
}

function probe(): number {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(probeModule()));
  return (instance.exports.probe as () => number)();
}

/** relaxed_madd(1 + 2⁻¹², 1 + 2⁻¹², −(1 + 2⁻¹¹)), lane 0. */
function probeModule(): Uint8Array<ArrayBuffer> {
  const code = new Code([], ['f32']);
  const splat = (x: number) => code.simd(Simd.v128Const, ...new Uint8Array(new Float32Array([x, x, x, x]).buffer));
  splat(1 + 2 ** -12);
  splat(1 + 2 ** -12);
  splat(-(1 + 2 ** -11));
  code.simd(Simd.f32x4RelaxedMadd).simd(Simd.f32x4ExtractLane, 0).op(Op.end);
  return moduleWithoutMemory(code.bytes);
}

/** A module of one function `probe`, () → f32, with no locals and no imports (encodeModule always imports a memory). */
function moduleWithoutMemory(body: readonly number[]): Uint8Array<ArrayBuffer> {
  const section = (id: number, content: readonly number[]) => [id, ...unsignedLeb(content.length), ...content];
  const name = [...'probe'].map((ch) => ch.charCodeAt(0));
  const fn = [0, ...body];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 0, 1, 0x7d]),
    ...section(3, [1, 0]),
    ...section(7, [1, name.length, ...name, 0x00, 0]),
    ...section(10, [1, ...unsignedLeb(fn.length), ...fn]),
  ]);
}
