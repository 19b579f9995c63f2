/**
 * Where the extension's declarations for objective files live (the build's
 * dist/types), and which module each import falls back to.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Imports that fall back to the shipped declarations, relative to the types folder. */
export const FALLBACK_MODULES: Readonly<Record<string, string>> = {
  '@tensorflow/tfjs': 'tfjs/index.d.ts',
  '@tensorflow/tfjs-core': 'tfjs-core/index.d.ts',
  // The runner maps tfjs-node imports to its own TensorFlow.js: same API as '@tensorflow/tfjs'.
  '@tensorflow/tfjs-node': 'tfjs/index.d.ts',
  'optimizer-lab': 'optimizer-lab/index.d.ts',
};

/**
 * The nearest ancestor's dist/types: the plugin ships at
 * <extension>/node_modules/optimizer-lab-ts-plugin/dist (in a .vsix) or
 * <repo>/tsPlugin/dist (a development build), both below the extension root.
 */
export function findTypesDir(from: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'dist', 'types');
    if (fs.existsSync(path.join(candidate, FALLBACK_MODULES['@tensorflow/tfjs']))) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

// tfjs-core's declarations refer to each other by deep package paths too
// (ops.d.ts: import("@tensorflow/tfjs-core/dist/tensor")), which must land on the same files.
const CORE_DEEP = '@tensorflow/tfjs-core/dist/';

/** The fallback declaration file of a module name, or undefined when it has none. */
export type FallbackLookup = (moduleName: string) => string | undefined;

/** Looks module names up in the types folder (exact names and tfjs-core's deep paths), for files that exist. */
export function fallbackLookup(typesDir: string): FallbackLookup {
  const exact = new Map<string, string>();
  for (const [name, rel] of Object.entries(FALLBACK_MODULES)) {
    const file = path.join(typesDir, rel);
    if (fs.existsSync(file)) exact.set(name, file);
  }
  const core = path.join(typesDir, 'tfjs-core');
  return (name) => {
    const file = exact.get(name);
    if (file !== undefined || !name.startsWith(CORE_DEEP)) return file;
    const rel = name.slice(CORE_DEEP.length).replace(/\.(d\.ts|js)$/, '');
    const deep = path.resolve(core, rel);
    if (!deep.startsWith(core + path.sep)) return undefined;
    return [`${deep}.d.ts`, path.join(deep, 'index.d.ts')].find((f) => fs.existsSync(f));
  };
}
