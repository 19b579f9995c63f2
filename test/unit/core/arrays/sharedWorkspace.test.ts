import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import type { ArrayObjective, ArrayOptimizer, ArrayStepInput } from '../../../../src/core/arrays/contracts';
import { minimizeArrays } from '../../../../src/core/arrays/minimizeArrays';
import { CompiledValueAndGrad, type TensorObjective } from '../../../../src/core/compiled/compileValueAndGrad';
import type { StepMetrics } from '../../../../src/core/loopRecords';
import { createOptimizer } from '../../../../src/core/optimizers/registry';
import { constantSchedule } from '../../../../src/core/schedule';
import { useCpuBackend } from '../compiled/compiledCheck';

/**
 * ArrayObjective.shareWorkspace: a compiled objective runs as a guest of the compiled rule's
 * WebAssembly memory, reading x where the update wrote it and writing ∇f where the update reads it.
 * No step copies a full-length array (counted, not timed), the gradient the update reads is the
 * workspace's own array, and every record and the answer are the bits of the same run with copies.
 */
const N = 70_001;
/** A constant of the vector's length: the guest's own buffers pass a page, so the rule's memory must grow. */
const weights = Float32Array.from({ length: N }, (_, i) => 0.5 + (i % 7) / 4);
const weighted: TensorObjective = (p) => tf.tidy(() => p.sub(tf.tensor1d(weights)).square().mul(tf.tensor1d(weights)).sum() as tf.Scalar);
const x0 = Float32Array.from({ length: N }, (_, i) => Math.cos(i / 3));
const STEPS = 6;

const adam = (): ArrayOptimizer => createOptimizer('adam', {}).arrays as ArrayOptimizer;

function objectiveOf(f: TensorObjective, share: boolean): { objective: ArrayObjective; compiled: CompiledValueAndGrad } {
  const compiled = new CompiledValueAndGrad(f, N);
  // The plan's first evaluation compiles it, as planArrayPath's does.
  compiled.run(x0, [], new Float32Array(N));
  const objective: ArrayObjective = {
    size: N,
    valueAndGrad: (x, _step, gradOut) => compiled.run(x, [], gradOut),
    lastGradNormSq: () => compiled.gradNormSq,
    ...(share ? { shareWorkspace: (ws) => compiled.shareWorkspace(ws) } : {}),
  };
  return { objective, compiled };
}

/** Float32Array.prototype.set calls of `N` or more elements while `body` runs. */
async function fullLengthCopies<T>(body: () => Promise<T>): Promise<{ value: T; copies: number }> {
  const set = Float32Array.prototype.set;
  let copies = 0;
  Float32Array.prototype.set = function (this: Float32Array, source: ArrayLike<number>, offset?: number) {
    if (source.length >= N) copies++;
    return set.call(this, source, offset);
  } as typeof set;
  try {
    return { value: await body(), copies };
  } finally {
    Float32Array.prototype.set = set;
  }
}

async function run(objective: ArrayObjective, optimizer: ArrayOptimizer, steps = STEPS, spy?: (input: ArrayStepInput, ws: ReturnType<NonNullable<ArrayOptimizer['workspace']>>) => void) {
  const records: StepMetrics[] = [];
  const watched: ArrayOptimizer = {
    ...optimizer,
    init: (x) => optimizer.init(x),
    update: (input, state) => {
      spy?.(input, optimizer.workspace?.(state));
      return optimizer.update(input, state);
    },
  };
  const result = await minimizeArrays({ objective, x0, optimizer: watched, schedule: constantSchedule(0.01), steps, onMetrics: (b) => records.push(...b) });
  return { records, params: Array.from(result.params), loss: result.final.loss };
}

describe('a compiled objective as a guest of the compiled rule\'s memory (no copy per step)', () => {
  useCpuBackend();

  it('copies no full-length array per step, and gives the bits of the run with copies', async () => {
    const before = tf.memory().numTensors;
    /** Full-length copies per step: the difference between a run of 2 steps and one of 2 + STEPS (set-up and the answer cancel). */
    const perStep = async (share: boolean) => {
      const short = await fullLengthCopies(() => run(objectiveOf(weighted, share).objective, adam(), 2));
      const long = await fullLengthCopies(() => run(objectiveOf(weighted, share).objective, adam(), 2 + STEPS));
      return { copies: (long.copies - short.copies) / STEPS, value: long.value };
    };
    const copied = await perStep(false);
    const shared = await perStep(true);
    // With copies: x into the objective's memory and ∇f out of it, at every step (the counter sees them).
    assert.equal(copied.copies, 2);
    assert.equal(shared.copies, 0);
    assert.equal(shared.value.records.length, 2 + STEPS);
    shared.value.records.forEach((r, k) => {
      assert.ok(Object.is(r.loss, copied.value.records[k].loss), `loss at ${k}: ${r.loss} vs ${copied.value.records[k].loss}`);
      assert.ok(Object.is(r.gradNorm, copied.value.records[k].gradNorm), `gradNorm at ${k}`);
    });
    assert.ok(Object.is(shared.value.loss, copied.value.loss));
    shared.value.params.forEach((v, i) => assert.ok(Object.is(v, copied.value.params[i]), `param ${i}`));
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  });

  it('the gradient the update reads is the workspace\'s own array, in the memory the objective writes', async () => {
    const optimizer = adam();
    const { objective } = objectiveOf(weighted, true);
    const seen: boolean[] = [];
    await run(objective, optimizer, STEPS, (input, ws) => {
      assert.ok(ws, 'a workspace');
      seen.push(input.grad === ws.grad && (input.params === ws.params[0] || input.params === ws.params[1]) && input.grad.length === N);
    });
    assert.deepEqual(seen, new Array<boolean>(STEPS).fill(true));
  });

  it('a newer guest retires the older one, which goes on correctly with copies', async () => {
    const optimizer = adam();
    const state = optimizer.init(x0);
    const first = objectiveOf(weighted, true).compiled;
    const second = objectiveOf(weighted, true).compiled;
    assert.ok(first.shareWorkspace(optimizer.workspace?.(state) as NonNullable<ReturnType<NonNullable<ArrayOptimizer['workspace']>>>));
    assert.ok(second.shareWorkspace(optimizer.workspace?.(state) as NonNullable<ReturnType<NonNullable<ArrayOptimizer['workspace']>>>));
    const ws = optimizer.workspace?.(state);
    assert.ok(ws);
    ws.params[0].set(x0);
    const reference = objectiveOf(weighted, false).compiled;
    const expected = new Float32Array(N);
    const lossExpected = reference.run(x0, [], expected);
    const { value: loss, copies } = await fullLengthCopies(async () => first.run(ws.params[0], [], ws.grad));
    assert.equal(copies, 2, 'the retired guest copies x in and the gradient out');
    assert.ok(Object.is(loss, lossExpected));
    assert.deepEqual(Array.from(ws.grad), Array.from(expected));
    ws.grad.fill(0);
    const again = await fullLengthCopies(async () => second.run(ws.params[0], [], ws.grad));
    assert.equal(again.copies, 0, 'the current guest copies nothing');
    assert.deepEqual(Array.from(ws.grad), Array.from(expected));
  });
});
