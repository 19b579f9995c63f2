/**
 * What src/core takes from the JavaScript host it runs in, besides ES2022: declared here, narrowly, instead of
 * Node's or the DOM's types (src/core/tsconfig.json has neither), so any other host API is a compile error.
 * The root tsconfig excludes this file: there the full Node and DOM types declare the same names.
 * WebAssembly, which Node's types leave to the DOM's, is in ./webassembly.d.ts.
 */

/** The objective's console (traceProgram.ts watches it: a compiled objective must not log). */
declare const console: {
  log(...data: unknown[]): void;
  info(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
  debug(...data: unknown[]): void;
  trace(...data: unknown[]): void;
};

/** The long loops yield with it so a cancel or a limit is seen between batches (Node and the extension host have it). */
declare function setImmediate(callback: () => void): unknown;

/** opReplay.ts patches tfjs-core's own exports object, which an ES import would wrap read-only. */
declare function require(id: '@tensorflow/tfjs-core'): unknown;
