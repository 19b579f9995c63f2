/**
 * Evaluates a compiled objective bundle as a CommonJS module named after the
 * user's file, so Node's source-map support (enabled here) rewrites thrown
 * errors' stacks to the user's .ts lines. TensorFlow.js imports get `tf`, 'optimizer-lab' the runner's module.
 */
import Module from 'node:module';
import * as path from 'node:path';
import type * as tfType from '@tensorflow/tfjs';
import { OPTIMIZER_LAB_IMPORT, TF_IMPORT, type CompiledObjective } from './compile';
import * as optimizerLab from './optimizerLabModule';

interface InternalModule extends Module {
  _compile(code: string, filename: string): void;
}
interface ModuleStatics {
  _nodeModulePaths(dir: string): string[];
}

export function loadBundle(compiled: CompiledObjective, tf: typeof tfType): Record<string, unknown> {
  // Idempotent. Turned on here, not with --enable-source-maps, so the runner's own bundle map is never parsed.
  process.setSourceMapsEnabled(true);
  const filename = path.join(path.dirname(compiled.file), `${path.basename(compiled.file)}.optlab.js`);
  const mod = new Module(filename) as InternalModule;
  mod.filename = filename;
  mod.paths = (Module as unknown as ModuleStatics)._nodeModulePaths(path.dirname(compiled.file));
  const plainRequire = Module.prototype.require;
  // The module's `require` calls mod.require for every import.
  mod.require = (id: string): unknown => (TF_IMPORT.test(id) ? tf : OPTIMIZER_LAB_IMPORT.test(id) ? optimizerLab : plainRequire.call(mod, id));
  // Not put in require.cache: every run loads a fresh copy of the user's module.
  mod._compile(compiled.code, filename);
  return mod.exports as Record<string, unknown>;
}
