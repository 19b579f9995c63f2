import { strict as assert } from 'node:assert';
import type { ArrayObjective, ArrayOptimizer, ArrayStepInput } from '../../../../src/core/arrays/contracts';
import { minimizeArrays } from '../../../../src/core/arrays/minimizeArrays';
import type { HpRecord } from '../../../../src/core/hyperparams';
import type { StepMetrics } from '../../../../src/core/loopRecords';
import { constantSchedule } from '../../../../src/core/schedule';
import { createOptimizer } from '../../../../src/core/optimizers/registry';
import { runArrays } from '../../helpers/arrayTrace';

/**
 * ArrayOptimizer.workspace: minimizeArrays keeps x, xOut and the gradient in the
 * compiled rule's own (WebAssembly) memory (no copies per step), reading and writing the
 * two parameter buffers either way round. Every step must be the same bits as the same
 * rule given arrays of its own (copied in and out each step).
 */
const N = 1003;
const LR = 0.05;
/** Built-ins and option sets with different state (none, one, three tensors; plain-number state). */
const CASES: readonly [string, HpRecord][] = [
  ['sgd', {}], ['sgd', { momentum: 0.9, nesterov: true }], ['adam', {}], ['adam', { amsgrad: true, weight_decay: 0.1 }],
  ['rmsprop', { centered: true, momentum: 0.5 }], ['nadam', {}], ['adagrad', { lr_decay: 0.01 }],
];
const arraysOf = (id: string, hp: HpRecord = {}): ArrayOptimizer => createOptimizer(id, hp).arrays as ArrayOptimizer;

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

async function onWorkspace(id: string, hp: HpRecord) {
  const records: StepMetrics[] = [];
  const result = await minimizeArrays({
    objective: quadratic, x0, optimizer: arraysOf(id, hp), schedule: constantSchedule(LR), steps: 25,
    onMetrics: (batch) => records.push(...batch),
  });
  return { records, params: Array.from(result.params) };
}

describe('compiled optimizer rules: the WebAssembly workspace (no copies per step)', () => {
  it('offers a workspace in the WebAssembly memory for a single parameter tensor', () => {
    const adam = arraysOf('adam');
    const ws = adam.workspace?.(adam.init(x0));
    assert.ok(ws, 'a workspace');
    assert.ok(ws.params[0].buffer.byteLength > ws.params[0].byteLength, 'views of a larger memory');
  });

  for (const [id, hp] of CASES) {
    it(`${id} ${JSON.stringify(hp)}: minimizeArrays on the workspace gives the bits of updates on arrays of its own`, async () => {
      const ws = await onWorkspace(id, hp);
      const own = runArrays(arraysOf(id, hp), quadratic, Array.from(x0), LR, 25);
      assert.equal(ws.records.length, 25);
      ws.records.forEach((r, k) => {
        assert.equal(r.loss, own.losses[k], `loss at ${k}`);
        const norm = Math.sqrt(own.updateNormSq[k]);
        assert.ok(Math.abs(r.updateNorm - norm) <= 1e-12 * norm, `updateNorm at ${k}`);
      });
      ws.params.forEach((v, i) => assert.ok(Object.is(v, own.xs[24][i]), `param ${i}: ${v} vs ${own.xs[24][i]}`));
    });
  }

  it('an update given other arrays still copies them in and out (and never writes its inputs)', () => {
    const optimizer = arraysOf('adam');
    const reference = arraysOf('adam');
    const [state, refState] = [optimizer.init(x0), reference.init(x0)];
    // The reference never gets its own arrays back: every update copies in and out.
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
