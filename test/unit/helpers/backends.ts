import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../src/runner/backend';
import type { BackendId } from '../../../src/protocol/runner';

/** got within 1e-5 of want relative to want's largest magnitude (at least 1): one backend's kernel against another's sums. */
export function assertNearBackend(got: Float32Array, want: Float32Array, what: string): void {
  assert.equal(got.length, want.length, what);
  const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 1);
  got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) <= 1e-5 * scale, `${what}[${i}]: ${v} vs ${want[i]}`));
}

/** The backends every core test runs on (tfjs-node is optional and absent in CI). */
export const TEST_BACKENDS: readonly BackendId[] = ['cpu', 'wasm'];

/** Declares `body` once per test backend, switching TensorFlow.js to it first. */
export function forEachBackend(body: (backend: BackendId) => void): void {
  for (const backend of TEST_BACKENDS) {
    describe(`on ${backend}`, () => {
      before(async () => {
        const choice = await selectBackend(backend);
        if (choice.backend !== backend || tf.getBackend() !== (backend === 'node' ? 'tensorflow' : backend)) {
          throw new Error(`could not switch to ${backend}`);
        }
      });
      body(backend);
    });
  }
}

/** Asserts `fn` leaves no tensor behind. */
export function expectNoLeak<T>(fn: () => T): T {
  const before = tf.memory().numTensors;
  const out = fn();
  const after = tf.memory().numTensors;
  if (after !== before) throw new Error(`tensor leak: ${after - before} tensors left behind`);
  return out;
}
