import { strict as assert } from 'node:assert';
import type { ArrayObjective, ArrayStepInput } from '../../../../src/core/arrays/contracts';
import { minimizeArrays } from '../../../../src/core/arrays/minimizeArrays';
import type { HpRecord } from '../../../../src/core/hyperparams';
import type { StepMetrics } from '../../../../src/core/minimize';
import { constantSchedule } from '../../../../src/core/schedule';
import { COMBOS, ELEMENTWISE, arraysOf } from '../../helpers/elementwiseArrayCases';

/**
 * ArrayOptimizer.workspace: minimizeArrays keeps x, xOut and the gradient in the
 * WebAssembly update's own memory (no copies per step), reading and writing the two
 * parameter buffers either way round. Every step must be the same bits as the JS loop.
 */
const N = 1003;

/** A diagonal quadratic with a varying curvature: g = a ⊙ x − b. */
const quadratic: ArrayObjective = {
  size: N,
  valueAndGrad(x, _step, g) {
    let loss = 0;
    for (let i = 0; i < N; i++) {
      const a = 0.5 + (i % 7) / 3;
      const b = Math.sin(i);
      g[i] = a * x[i] - b;
      loss += 0.5 * a * x[i] * x[i] - b * x[i];
    }
    return loss;
  },
};
const x0 = Float32Array.from({ length: N }, (_, i) => 2 * Math.cos(3 * i));

async function trace(id: string, hp: HpRecord, wasm: 'always' | 'never') {
  const records: StepMetrics[] = [];
  const result = await minimizeArrays({
    objective: quadratic, x0, optimizer: arraysOf(id, hp, wasm), schedule: constantSchedule(COMBOS[id as 'sgd'].lr), steps: 25,
    onMetrics: (batch) => records.push(...batch),
  });
  return { records: records.map(({ wallMs: _wallMs, ...r }) => r), params: Array.from(result.params), final: result.final };
}

describe('array optimizers: the WebAssembly workspace (no copies per step)', () => {
  it('offers a workspace exactly when the update runs as WebAssembly', () => {
    const wasm = arraysOf('adam', {}, 'always');
    assert.ok(wasm.workspace?.(wasm.init(x0)), 'wasm: a workspace');
    const js = arraysOf('adam', {}, 'never');
    assert.equal(js.workspace?.(js.init(x0)), undefined);
  });

  for (const id of ELEMENTWISE) {
    for (const hp of COMBOS[id].hps) {
      it(`${id} ${JSON.stringify(hp)}: minimizeArrays on the workspace gives the JS loop's bits`, async () => {
        const [onWorkspace, js] = [await trace(id, hp, 'always'), await trace(id, hp, 'never')];
        assert.equal(onWorkspace.records.length, 25);
        onWorkspace.records.forEach((r, k) => {
          assert.equal(r.loss, js.records[k].loss, `loss at ${k}`);
          assert.ok(Math.abs(r.updateNorm - js.records[k].updateNorm) <= 1e-12 * js.records[k].updateNorm, `updateNorm at ${k}`);
        });
        onWorkspace.params.forEach((v, i) => assert.ok(Object.is(v, js.params[i]), `param ${i}: ${v} vs ${js.params[i]}`));
        assert.equal(onWorkspace.final.loss, js.final.loss);
      });
    }
  }

  it('an update given other arrays still copies them in and out (and never writes its inputs)', () => {
    const optimizer = arraysOf('adam', {}, 'always');
    const reference = arraysOf('adam', {}, 'never');
    const [state, refState] = [optimizer.init(x0), reference.init(x0)];
    const ws = optimizer.workspace?.(state);
    assert.ok(ws);
    const grad = Float32Array.from({ length: N }, (_, i) => Math.cos(i));
    const input = (params: Float32Array, paramsOut: Float32Array, g: Float32Array): ArrayStepInput => ({
      params, paramsOut, grad: g, loss: 0, lr: 0.05, step: 0, evaluate: () => NaN,
    });
    // Step 1 on foreign arrays, step 2 on the workspace the other way round, step 3 foreign again.
    const a = Float32Array.from(x0);
    const b = new Float32Array(N);
    optimizer.update(input(a, b, grad), state);
    ws.params[1].set(b);
    ws.grad.set(grad);
    optimizer.update(input(ws.params[1], ws.params[0], ws.grad), state);
    const c = new Float32Array(N);
    optimizer.update(input(Float32Array.from(ws.params[0]), c, grad), state);
    const [r1, r2, r3] = [new Float32Array(N), new Float32Array(N), new Float32Array(N)];
    reference.update(input(Float32Array.from(x0), r1, grad), refState);
    reference.update(input(r1, r2, grad), refState);
    reference.update(input(r2, r3, grad), refState);
    assert.deepEqual(Array.from(a), Array.from(x0), 'params are read only');
    c.forEach((v, i) => assert.ok(Object.is(v, r3[i]), `param ${i}`));
  });
});
