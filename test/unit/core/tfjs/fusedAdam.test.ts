import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import type { HpRecord } from '../../../../src/core/hyperparams';
import type { Optimizer, OptimizerState } from '../../../../src/core/optimizer';
import { createOptimizer } from '../../../../src/core/optimizers/registry';
import { FUSED_ADAM, WASM_FUSED_ADAM_MAX, hasFusedAdam, setFusedAdamEnabled } from '../../../../src/core/tfjs/fusedAdam';
import { forEachBackend } from '../../helpers/backends';

const N = 257;

/** Deterministic values spanning many magnitudes, with exact zeros and sign changes. */
function pattern(seed: number, step: number): Float32Array {
  return Float32Array.from({ length: N }, (_, i) => {
    if ((i + step) % 17 === 0) return 0;
    const s = Math.sin(seed * 12.9898 + i * 78.233 + step * 3.7) * 43758.5453;
    const u = s - Math.floor(s) - 0.5;
    return u * 10 ** (((i * 7 + step) % 9) - 4);
  });
}

/** Runs `steps` updates and returns params and every slot, as raw float32 bits. */
function run(optimizer: Optimizer, steps: number): Record<string, Uint32Array> {
  let x = tf.tensor1d(pattern(1, 0));
  let state: OptimizerState = optimizer.init(x);
  for (let k = 0; k < steps; k++) {
    const grad = tf.tensor1d(pattern(2, k));
    const loss = tf.scalar(0);
    const r = optimizer.update(
      { params: x, grad, loss, lr: 0.05, step: k, evaluate: () => ({ loss: tf.scalar(0), grad: tf.zerosLike(x) }), hvp: (p) => p.clone() },
      state,
    );
    tf.dispose([grad, loss, x]);
    x = r.params;
    state = r.state;
  }
  const out: Record<string, Uint32Array> = { params: new Uint32Array(x.dataSync().slice().buffer) };
  for (const [k, v] of Object.entries(state)) if (v instanceof tf.Tensor) out[k] = new Uint32Array(v.dataSync().slice().buffer);
  optimizer.disposeState(state);
  x.dispose();
  return out;
}

const CASES: [string, HpRecord][] = [
  ['adam', {}],
  ['adam', { weight_decay: 0.1 }],
  ['adam', { amsgrad: true, betas: [0.8, 0.99] }],
  ['adam', { eps: 0 }],
  ['adamw', {}],
  ['adamw', { weight_decay: 0.3, amsgrad: true }],
];

describe('fused Adam kernel', () => {
  afterEach(() => setFusedAdamEnabled(true));

  forEachBackend((backend) => {
    it('is registered, and used on wasm only where it pays', () => {
      assert.equal(hasFusedAdam(WASM_FUSED_ADAM_MAX + 1), backend === 'cpu');
      assert.equal(hasFusedAdam(N), true);
      assert.ok(tf.getKernel(FUSED_ADAM, backend));
    });

    for (const [id, hp] of CASES) {
      it(`${id} ${JSON.stringify(hp)}: bit-identical to the op chain over 30 steps`, () => {
        setFusedAdamEnabled(true);
        const fused = run(createOptimizer(id, hp), 30);
        setFusedAdamEnabled(false);
        assert.equal(hasFusedAdam(N), false);
        const chain = run(createOptimizer(id, hp), 30);
        assert.deepEqual(Object.keys(fused).sort(), Object.keys(chain).sort());
        for (const key of Object.keys(chain)) {
          const diff = chain[key].findIndex((bits, i) => bits !== fused[key][i]);
          assert.equal(diff, -1, `${key}[${diff}]: fused ${new Float32Array(fused[key].buffer)[diff]}, op chain ${new Float32Array(chain[key].buffer)[diff]}`);
        }
      });
    }

    it('leaks no tensors and keeps as many as the op chain', () => {
      const before = tf.memory().numTensors;
      run(createOptimizer('adam', { amsgrad: true }), 5);
      assert.equal(tf.memory().numTensors, before);
      const opt = createOptimizer('adam', {});
      const x = tf.tensor1d(pattern(1, 0));
      const g = tf.tensor1d(pattern(2, 0));
      const loss = tf.scalar(0);
      const counts = [true, false].map((enabled) => {
        setFusedAdamEnabled(enabled);
        const state = opt.init(x);
        const start = tf.memory().numTensors;
        const r = opt.update({ params: x, grad: g, loss, lr: 0.1, step: 0, evaluate: () => ({ loss, grad: g }), hvp: (p) => p }, state);
        const held = tf.memory().numTensors - start;
        r.params.dispose();
        opt.disposeState(r.state);
        return held;
      });
      assert.equal(counts[0], counts[1]);
      assert.equal(counts[0], 1, 'the update adds only the new params (the state is replaced in place)');
      tf.dispose([x, g, loss]);
      assert.equal(tf.memory().numTensors, before);
    });
  });
});
