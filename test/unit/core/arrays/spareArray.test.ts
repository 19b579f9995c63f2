import { strict as assert } from 'node:assert';
import type { ArrayObjective, ArrayOptimizer } from '../../../../src/core/arrays/contracts';
import { minimizeArrays, type MinimizeArraysOptions } from '../../../../src/core/arrays/minimizeArrays';
import type { HpRecord } from '../../../../src/core/hyperparams';
import type { StepMetrics } from '../../../../src/core/loopRecords';
import { constantSchedule } from '../../../../src/core/schedule';
import { createOptimizer } from '../../../../src/core/optimizers/registry';

/**
 * MinimizeArraysOptions.spare and the answer's hand-over: the caller's spare array (the plan's probe
 * gradient) becomes the loop's gradient buffer, or the answer's copy when the parameters live in the
 * optimizer's memory; the run's own parameter buffer is returned as it is. Every record and the answer
 * must be the same bits as a run without a spare, and the answer must survive the next run.
 */
const N = 517;
const arraysOf = (id: string, hp: HpRecord = {}): ArrayOptimizer => createOptimizer(id, hp).arrays as ArrayOptimizer;

/** A diagonal quadratic with a varying curvature: g = a ⊙ x − b. */
const quadratic: ArrayObjective = {
  size: N,
  valueAndGrad(x, _step, g) {
    let loss = 0;
    for (let i = 0; i < N; i++) {
      const a = 0.5 + (i % 5) / 2;
      const b = Math.cos(i);
      g[i] = a * x[i] - b;
      loss += 0.5 * a * x[i] * x[i] - b * x[i];
    }
    return loss;
  },
};
const x0 = Float32Array.from({ length: N }, (_, i) => 1.5 * Math.sin(2 * i));

async function run(optimizer: ArrayOptimizer, extra: Partial<MinimizeArraysOptions> = {}) {
  const records: StepMetrics[] = [];
  const result = await minimizeArrays({
    objective: quadratic, x0, optimizer, schedule: constantSchedule(0.05), steps: 12,
    onMetrics: (batch) => records.push(...batch), ...extra,
  });
  return { records, result };
}

/** Optimizers with a workspace (compiled rules), without one (a plain loop), and with an evaluation point. */
const CASES: readonly [string, ArrayOptimizer, boolean][] = [
  ['adam (workspace)', arraysOf('adam'), true],
  ['sgd with momentum (workspace)', arraysOf('sgd', { momentum: 0.9 }), true],
  ['a plain loop (no workspace)', {
    init: () => undefined,
    update: (input) => {
      let sq = 0;
      for (let i = 0; i < N; i++) {
        const d = -input.lr * input.grad[i];
        input.paramsOut[i] = input.params[i] + d;
        sq += d * d;
      }
      return { updateNormSq: sq, extraEvals: 0 };
    },
  }, false],
];

describe('minimizeArrays: the spare array and the answer hand-over', () => {
  for (const [name, optimizer, hasWorkspace] of CASES) {
    it(`${name}: the same records and answer with a spare as without`, async () => {
      assert.equal(optimizer.workspace?.(optimizer.init(x0)) !== undefined, hasWorkspace, 'the case is what it says');
      const plain = await run(optimizer);
      const spare = new Float32Array(N).fill(123);
      const spared = await run(optimizer, { spare });
      assert.deepEqual(spared.records, plain.records.map((r, k) => ({ ...r, wallMs: spared.records[k].wallMs })));
      assert.deepEqual(Array.from(spared.result.params), Array.from(plain.result.params));
      assert.equal(spared.result.final.loss, plain.result.final.loss);
      assert.notEqual(spared.result.params, x0, 'never x0 itself');
      assert.ok(x0.every((v, i) => v === Math.fround(1.5 * Math.sin(2 * i))), 'x0 untouched');
      if (hasWorkspace) assert.equal(spared.result.params, spare, "the answer copied into the spare, not a new array");
      // The answer is the caller's: another run on the same optimizer (its memory reused) leaves it as it was.
      const kept = Array.from(spared.result.params);
      await run(optimizer, { spare: new Float32Array(N) });
      assert.deepEqual(Array.from(spared.result.params), kept);
    });
  }

  it('ignores a spare of another length', async () => {
    const plain = await run(arraysOf('adam'));
    const wrong = new Float32Array(N - 1);
    const spared = await run(arraysOf('adam'), { spare: wrong });
    assert.notEqual(spared.result.params, wrong);
    assert.deepEqual(Array.from(spared.result.params), Array.from(plain.result.params));
  });

  it('returns the last good parameters on divergence, with a spare', async () => {
    const blowsUp: ArrayObjective = { size: N, valueAndGrad: (x, step, g) => (step === 5 ? NaN : quadratic.valueAndGrad(x, step, g)) };
    const results = await Promise.all([undefined, new Float32Array(N)].map((spare) =>
      minimizeArrays({ objective: blowsUp, x0, optimizer: arraysOf('adam'), schedule: constantSchedule(0.05), steps: 12, ...(spare ? { spare } : {}) })));
    assert.equal(results[1].status, 'diverged');
    assert.equal(results[1].divergedAt, 5);
    assert.deepEqual(Array.from(results[1].params), Array.from(results[0].params));
  });
});
