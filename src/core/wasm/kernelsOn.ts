/**
 * A fixed set of WebAssembly kernels (code that takes byte addresses, not compiled in) instantiated on any memory:
 * a program's shared memory or TensorFlow.js wasm backend's heap. The module is built once per kind of memory
 * (a module links only to a memory of its sharing) and instantiated once per memory.
 */
import { encodeModule, type Code, type MemorySharing } from './binary';

/** A module's exported functions, by name, for one memory. */
export type Exports = Readonly<Record<string, (...args: number[]) => unknown>>;

/** Kernel sets by a name their caller gives: their modules by sharing, their exports by memory. */
const sets = new Map<string, { readonly modules: Map<MemorySharing, WebAssembly.Module>; readonly instances: WeakMap<WebAssembly.Memory, Exports> }>();

const SETS_MAX = 256;

/** The exports of `functions()` (emitted once per sharing) on `memory`; `name` identifies the set. */
export function kernelsOn(name: string, memory: WebAssembly.Memory, functions: () => readonly { name: string; code: Code }[]): Exports {
  let set = sets.get(name);
  if (!set) {
    // Sets named by a geometry (a module per convolution shape): a long session of many shapes starts over.
    if (sets.size >= SETS_MAX) sets.clear();
    sets.set(name, (set = { modules: new Map(), instances: new WeakMap() }));
  }
  let exports = set.instances.get(memory);
  if (exports) return exports;
  const sharing: MemorySharing = memory.buffer instanceof SharedArrayBuffer ? 'shared' : 'unshared';
  let module = set.modules.get(sharing);
  if (!module) set.modules.set(sharing, (module = new WebAssembly.Module(encodeModule(functions(), 1, [], sharing))));
  exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Exports;
  set.instances.set(memory, exports);
  return exports;
}
