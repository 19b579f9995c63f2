import { strict as assert } from 'node:assert';
import { CLEAR_MARGIN, MIN_SAMPLE_MS, PROBE_ROUNDS, probeFasterPath } from '../../../src/runner/pathProbe';

/** Two forms whose evaluations advance a virtual clock by scripted durations (ms), the warm-up first. */
function scripted(compiled: readonly number[], tensors: readonly number[]) {
  let now = 0;
  const calls = { compiled: 0, tensors: 0 };
  const step = (durations: readonly number[], form: 'compiled' | 'tensors') => () => {
    now += durations[Math.min(calls[form], durations.length - 1)];
    calls[form]++;
  };
  return { calls, input: { compiled: step(compiled, 'compiled'), tensors: step(tensors, 'tensors'), clock: () => now } };
}

describe('path probe: the faster of compiled and tensors, measured before a run', () => {
  it('picks compiled when its evaluations are faster (the transformer: JS loops over activations)', () => {
    const { input } = scripted([500, 40], [900, 130]);
    const probe = probeFasterPath(input);
    assert.equal(probe.compiledFaster, true);
    assert.equal(probe.compiledMs, 40);
    assert.equal(probe.tensorsMs, 130);
    assert.match(probe.summary, /40 ms compiled vs 130 ms on tensors per value and gradient \(CPU time, fastest of 1\)/);
  });

  it('keeps tensors when they are faster (JS loops over the parameters at 1e5)', () => {
    const { input } = scripted([5, 3.6], [5, 3.1]);
    const probe = probeFasterPath(input);
    assert.equal(probe.compiledFaster, false);
    assert.match(probe.summary, /3\.60 ms compiled vs 3\.10 ms on tensors/);
  });

  it('times a short evaluation over several runs (a sample of at least MIN_SAMPLE_MS), reporting the mean', () => {
    const { input, calls } = scripted([1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2], [1, 8]);
    const probe = probeFasterPath(input);
    assert.equal(calls.compiled, 1 + MIN_SAMPLE_MS / 2, 'one warm-up, then runs until the sample reaches MIN_SAMPLE_MS');
    assert.equal(probe.compiledMs, 2);
    assert.equal(probe.tensorsMs, 8);
  });

  it('times every round while the two are close, each form at its fastest round; stops once one is clearly faster', () => {
    const close = scripted([90, 120, 100, 110], [90, 110, 130, 105]);
    const closeProbe = probeFasterPath(close.input);
    assert.deepEqual(close.calls, { compiled: 1 + PROBE_ROUNDS, tensors: 1 + PROBE_ROUNDS });
    assert.equal(closeProbe.compiledMs, 100);
    assert.equal(closeProbe.tensorsMs, 105);
    assert.equal(closeProbe.compiledFaster, true);

    const clear = scripted([90, 100], [90, 100 * CLEAR_MARGIN + 1]);
    probeFasterPath(clear.input);
    assert.deepEqual(clear.calls, { compiled: 2, tensors: 2 }, 'one warm-up and one timed round');
  });
});
