/**
 * V8 flags this process's WebAssembly needs, set before any module compiles (the entry points call it first):
 * relaxed SIMD, whose f32x4.relaxed_madd gives the compiled products their fused multiply-add
 * (src/core/wasm/relaxedSimd.ts probes it; without it they keep mul + add). V8 shipped relaxed SIMD in 11.4;
 * Node 20's V8 (11.3) has it behind a flag, and newer V8s no longer know the flag (an unknown flag prints an error).
 */
import { setFlagsFromString } from 'node:v8';

/** The flags a V8 of this version needs ("11.3.244.8-node.38"). */
export function wasmFlagsFor(v8Version: string): string[] {
  const [major, minor] = v8Version.split('.').map(Number);
  return major < 11 || (major === 11 && minor < 4) ? ['--experimental-wasm-relaxed-simd'] : [];
}

export function setWasmFlags(): void {
  for (const flag of wasmFlagsFor(process.versions.v8)) setFlagsFromString(flag);
}
