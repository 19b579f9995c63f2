/**
 * TensorFlow.js wasm backend's heap as its WebAssembly.Memory, for our own WebAssembly kernels to run on
 * the backend's tensors in place. TF.js 4.22's Emscripten module keeps its instance's exports in `asm`
 * (`wasmExports` in later Emscripten releases); undefined where neither holds the memory, and callers
 * then keep their JS loops. The memory is not shared and its buffer is replaced when the heap grows: a
 * view is of the memory only when taken after the last allocation (wasmPatchesOn checks).
 */
interface EmscriptenModule {
  readonly asm?: { readonly memory?: unknown };
  readonly wasmExports?: { readonly memory?: unknown };
}

export function heapMemoryOf(backend: unknown): WebAssembly.Memory | undefined {
  const module = (backend as { wasm?: EmscriptenModule }).wasm;
  const memory = module?.asm?.memory ?? module?.wasmExports?.memory;
  return memory instanceof WebAssembly.Memory ? memory : undefined;
}
