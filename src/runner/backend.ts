/**
 * Picks the TensorFlow.js backend: tfjs-node when it loads (an optional
 * dependency whose install fails without internet), else wasm, else cpu.
 * The choice can be forced and is always reported.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { installFastWasmConv2D } from '../core/tfjs/fastWasmConv2D';
import { installFastWasmConvGradients } from '../core/tfjs/fastWasmConvGradients';
import { installFastWasmIdentity } from '../core/tfjs/fastWasmIdentity';
import { installFastWasmMatMul } from '../core/tfjs/fastWasmMatMul';
import { installFastWasmReductions } from '../core/tfjs/fastWasmReductions';
import { installFastWasmSlice } from '../core/tfjs/fastWasmSlice';
import { installFastWasmTile } from '../core/tfjs/fastWasmTile';
import { installFastWasmBroadcast } from '../core/tfjs/fastWasmBroadcast';
import { registerMissingWasmKernels } from '../core/tfjs/wasmKernels';
import type { BackendId } from '../protocol/runner';

export interface BackendChoice {
  readonly backend: BackendId;
  readonly tfjsVersion: string;
  /** Why a preferred backend was passed over (shown to the user). */
  readonly notes: readonly string[];
}

const WASM_FILE = 'tfjs-backend-wasm.wasm';

/** The folder holding the .wasm binaries: next to the bundle, else in node_modules. */
export function findWasmDir(): string | undefined {
  const candidates = [__dirname, path.join(__dirname, '..'), path.join(__dirname, '..', '..', 'dist')];
  try {
    candidates.push(path.dirname(require.resolve(`@tensorflow/tfjs-backend-wasm/dist/${WASM_FILE}`)));
  } catch {
    // not resolvable from here (bundled build): rely on the copies next to the bundle
  }
  return candidates.find((dir) => fs.existsSync(path.join(dir, WASM_FILE)));
}

async function tryNode(notes: string[]): Promise<boolean> {
  try {
    // Marked external in scripts/build.mjs, so the bundle requires it at run time.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@tensorflow/tfjs-node');
    return await tf.setBackend('tensorflow');
  } catch (e) {
    notes.push(`tfjs-node unavailable (${(e as Error).message.split('\n')[0]})`);
    return false;
  }
}

async function tryWasm(notes: string[]): Promise<boolean> {
  const dir = findWasmDir();
  if (!dir) {
    notes.push(`wasm binaries (${WASM_FILE}) not found`);
    return false;
  }
  registerMissingWasmKernels();
  installFastWasmSlice();
  installFastWasmIdentity();
  installFastWasmMatMul();
  installFastWasmConvGradients();
  installFastWasmConv2D();
  installFastWasmTile();
  installFastWasmBroadcast();
  installFastWasmReductions();
  setWasmPaths(dir.endsWith(path.sep) ? dir : dir + path.sep);
  try {
    return await tf.setBackend('wasm');
  } catch (e) {
    notes.push(`wasm backend failed (${(e as Error).message})`);
    return false;
  }
}

/** Selects a backend; with `forced`, that one or an error naming why it failed. */
export async function selectBackend(forced?: BackendId): Promise<BackendChoice> {
  const notes: string[] = [];
  const order: BackendId[] = forced ? [forced] : ['node', 'wasm', 'cpu'];
  for (const id of order) {
    const ok = id === 'node' ? await tryNode(notes) : id === 'wasm' ? await tryWasm(notes) : await tf.setBackend('cpu');
    if (ok) {
      await tf.ready();
      return { backend: id, tfjsVersion: tf.version.tfjs, notes };
    }
  }
  throw new Error(`backend '${forced ?? 'any'}' could not be started: ${notes.join('; ')}`);
}
