/**
 * Compiled WebAssembly modules by their bytes. A run compiles the same program again for each new
 * CompiledValueAndGrad (a bench repeat, a second run in one process, the guest form of a program):
 * the cached module is not compiled again, and it keeps the optimised code the engine tiered up to,
 * so the new program's first runs are not the slow baseline code's. The bytes are compared in full on
 * a hash hit; a few recent modules are kept (each holds only code, not memory). A caller that can say
 * what determines the bytes more cheaply than making them (loopModule.ts: the loops, their buffers'
 * addresses, the memory's pages) finds the module by that description (describedModule).
 */

const CAPACITY = 16;

interface Entry {
  readonly bytes: Uint8Array;
  readonly module: WebAssembly.Module;
}

/** Most recent last. */
const entries: Entry[] = [];

/** FNV-1a over the bytes (a hash to skip most comparisons, not to trust). */
function hashOf(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

const hashes = new WeakMap<Entry, number>();

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The compiled module of `bytes`: cached, or compiled (synchronously) and cached. */
export function compiledModule(bytes: Uint8Array<ArrayBuffer>): WebAssembly.Module {
  const hash = hashOf(bytes);
  const at = entries.findIndex((e) => hashes.get(e) === hash && sameBytes(e.bytes, bytes));
  if (at >= 0) {
    const [entry] = entries.splice(at, 1);
    entries.push(entry);
    return entry.module;
  }
  const entry: Entry = { bytes: Uint8Array.from(bytes), module: new WebAssembly.Module(bytes) };
  hashes.set(entry, hash);
  entries.push(entry);
  if (entries.length > CAPACITY) entries.shift();
  return entry.module;
}

/** Modules by a description that determines their bytes, most recent last (a Map keeps insertion order). */
const described = new Map<string, WebAssembly.Module>();

/**
 * The module `key` describes: cached, or compiledModule of `bytes()` (emitting the bytes is what a hit
 * skips). The caller's key must determine the bytes: equal keys must mean equal bytes.
 */
export function describedModule(key: string, bytes: () => Uint8Array<ArrayBuffer>): WebAssembly.Module {
  let module = described.get(key);
  if (module !== undefined) described.delete(key);
  else module = compiledModule(bytes());
  described.set(key, module);
  if (described.size > CAPACITY) described.delete(described.keys().next().value as string);
  return module;
}
