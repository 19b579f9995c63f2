import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { hessianOperator, onArrays } from '../../../../src/core/curvature/hvp';
import { spectralDensity } from '../../../../src/core/curvature/spectralDensity';
import { quadratic } from './quadratics';
import { rotatedOperator } from './rotatedOperator';
import { selectBackend } from '../../../../src/runner/backend';

const moment = (nodes: number[], weights: number[], k: number) => nodes.reduce((a, x, j) => a + weights[j] * x ** k, 0);
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** Chosen spectra: spread positive, indefinite (a negative block), and a few large outliers over a bulk. */
const spectra: Record<string, (n: number) => number[]> = {
  'uniform in [1, 10]': (n) => Array.from({ length: n }, (_, i) => 1 + (9 * i) / (n - 1)),
  'indefinite: a fifth in [−4, −1], the rest in [0.5, 5]': (n) => Array.from({ length: n }, (_, i) => (i < n / 5 ? -4 + (3 * i) / (n / 5) : 0.5 + (4.5 * i) / n)),
  'bulk near 0.1 and five outliers at 50–90': (n) => Array.from({ length: n }, (_, i) => (i < n - 5 ? 0.1 + 0.01 * Math.sin(i) : 50 + 10 * (i - n + 5))),
};

describe('spectralDensity (stochastic Lanczos quadrature)', () => {
  // On the cpu backend, whatever other test files registered (the wasm backend is registered on import).
  before(async () => {
    await selectBackend('cpu');
  });

  for (const [label, make] of Object.entries(spectra)) {
    it(`moments of the density match tr(H)/n and tr(H²)/n within a few percent (${label}, n = 1000)`, () => {
      const d = make(1000);
      const { apply } = rotatedOperator(d);
      const r = spectralDensity(apply, d.length, { probes: 24, steps: 16, seed: 1 });
      assert.equal(r.method, 'hutchinson');
      assert.ok(Math.abs(sum(r.density.weights) - 1) < 1e-9, `weights sum ${sum(r.density.weights)}`);
      const m1 = sum(d) / d.length;
      const m2 = sum(d.map((l) => l * l)) / d.length;
      const scale1 = sum(d.map(Math.abs)) / d.length;
      assert.ok(Math.abs(moment(r.density.nodes, r.density.weights, 1) - m1) < 0.04 * scale1, `mean of the density ${moment(r.density.nodes, r.density.weights, 1)} vs ${m1}`);
      assert.ok(Math.abs(moment(r.density.nodes, r.density.weights, 2) - m2) < 0.05 * m2, `mean square of the density ${moment(r.density.nodes, r.density.weights, 2)} vs ${m2}`);
      // Nodes stay inside the spectrum (Ritz values interlace it), up to float32 rounding.
      const [lo, hi] = [Math.min(...d), Math.max(...d)];
      assert.ok(r.density.nodes.every((x) => x >= lo - 1e-4 * hi && x <= hi * (1 + 1e-4)));
    });

    it(`the trace lies within three of its reported standard errors, and the diagonal within its error (${label})`, () => {
      const d = make(300);
      const { apply, diagonal } = rotatedOperator(d);
      // No stop rule given: every probe runs (the count is asserted below).
      const r = spectralDensity(apply, d.length, { probes: 16, steps: 8, seed: 2, diagonal: true });
      const exact = sum(d);
      assert.ok(r.traceStdErr > 0 && Number.isFinite(r.traceStdErr));
      assert.ok(Math.abs(r.trace - exact) <= 3 * r.traceStdErr, `trace ${r.trace} ± ${r.traceStdErr} vs ${exact}`);
      assert.equal(r.probes, 16);
      const diagonalError = Math.sqrt(sum([...diagonal].map((v, i) => (v - (r.diagonal as Float32Array)[i]) ** 2)) / d.length);
      assert.ok(diagonalError <= 3 * (r.diagonalStdErr as number), `diagonal error ${diagonalError} vs stated ${r.diagonalStdErr}`);
    });
  }

  it('stops starting probes when the caller says so, but never before two (the fewest a standard error needs)', () => {
    // The caller's stop rule, asked before each probe from probe 3 on: here a count of answers.
    const stopAfter = (answersNo: number) => {
      let asked = 0;
      return () => ++asked > answersNo;
    };
    const d = spectra['uniform in [1, 10]'](500);
    const { apply } = rotatedOperator(d);
    const steps = 8;
    const stoppedAtOnce = spectralDensity(apply, d.length, { probes: 16, steps, seed: 4, shouldStop: () => true });
    assert.equal(stoppedAtOnce.method, 'hutchinson');
    assert.equal(stoppedAtOnce.probes, 2);
    assert.equal(stoppedAtOnce.products, 2 * (steps + 2));
    assert.ok(stoppedAtOnce.traceStdErr > 0 && Number.isFinite(stoppedAtOnce.traceStdErr), `standard error ${stoppedAtOnce.traceStdErr} from two probes`);
    assert.ok(Math.abs(sum(stoppedAtOnce.density.weights) - 1) < 1e-9);
    // Four answers of "go on" (before the 3rd to 6th probes), then "stop" before the 7th.
    const partial = spectralDensity(apply, d.length, { probes: 16, steps, seed: 4, shouldStop: stopAfter(4) });
    assert.equal(partial.probes, 6);
    assert.equal(partial.products, 6 * (steps + 2));
  });

  it('is exact when n products cost no more than the probes (n ≤ 64: the Hessian of a rotated quadratic)', () => {
    const d = Array.from({ length: 40 }, (_, i) => (i - 10) * 0.5);
    const x = tf.randomUniform([d.length], -1, 1, 'float32', 3) as tf.Tensor1D;
    const before = tf.memory().numTensors;
    const r = spectralDensity(onArrays(hessianOperator(quadratic(d, true), x)), d.length, { diagonal: true });
    assert.equal(tf.memory().numTensors, before);
    x.dispose();
    assert.equal(r.method, 'exact');
    assert.equal(r.traceStdErr, 0);
    assert.ok(Math.abs(r.trace - sum(d)) < 1e-4 * sum(d.map(Math.abs)));
    const sorted = [...d].sort((a, b) => a - b);
    r.density.nodes.forEach((node, i) => assert.ok(Math.abs(node - sorted[i]) < 1e-4 * 10, `node ${i}: ${node} vs ${sorted[i]}`));
    assert.ok(r.density.weights.every((w) => Math.abs(w - 1 / d.length) < 1e-12));
    assert.ok(Math.abs(sum([...(r.diagonal as Float32Array)]) - sum(d)) < 1e-3);
  });
});
