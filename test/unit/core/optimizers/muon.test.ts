import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import type { HpRecord } from '../../../../src/core/hyperparams';
import type { ParamShapes } from '../../../../src/core/optimizer';
import { optimizerFactory } from '../../../../src/core/optimizers/registry';
import { newtonSchulz5 } from '../../../../src/core/rules/builtin/muon';
import { forEachBackend } from '../../helpers/backends';
import { expectNear, stepShaped, type FlatGradient } from '../../helpers/stepShaped';

/**
 * muon's first updates against the reference's update (KellerJordan/Muon) written out below in float64, on a
 * record of a wide 2×3 matrix W, a tall 3×2 matrix V (orthogonalised transposed, scaled by √(3/2)) and a vector
 * b of 2 (the AdamW fallback), flat [W, V, b].
 */
const SHAPES: ParamShapes = [
  { name: 'W', shape: [2, 3] },
  { name: 'V', shape: [3, 2] },
  { name: 'b', shape: [2] },
];
const X0 = [0.5, -1, 1.5, 2, -0.25, 0.75, 1, -2, 0.3, 0.6, -0.9, 1.2, 1, -2];
const GRAD: FlatGradient = (x) => x.map((v, i) => (0.5 + (i % 3)) * v - 0.3 * (i + 1));

type Matrix = number[][];
const transpose = (m: Matrix): Matrix => m[0].map((_, j) => m.map((row) => row[j]));
const matMul = (a: Matrix, b: Matrix): Matrix => a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
const combine = (p: number, a: Matrix, q: number, b: Matrix): Matrix => a.map((row, i) => row.map((v, j) => p * v + q * b[i][j]));
const toMatrix = (flat: number[], rows: number, cols: number): Matrix => Array.from({ length: rows }, (_, i) => flat.slice(i * cols, (i + 1) * cols));

/** The reference's quintic Newton–Schulz in float64: X = G/(‖G‖_F + 1e-7) (wide side), then X ← aX + (bA + cA²)X, A = XXᵀ. */
function newtonSchulz64(g: Matrix, steps: number): Matrix {
  const tall = g.length > g[0].length;
  let x = tall ? transpose(g) : g;
  const norm = Math.sqrt(x.flat().reduce((s, v) => s + v * v, 0));
  x = x.map((row) => row.map((v) => v / (norm + 1e-7)));
  for (let k = 0; k < steps; k++) {
    const a = matMul(x, transpose(x));
    x = combine(3.4445, x, 1, matMul(combine(-4.775, a, 2.0315, matMul(a, a)), x));
  }
  return tall ? transpose(x) : x;
}

interface Hp64 {
  lr: number;
  momentum: number;
  nesterov: boolean;
  ns_steps: number;
  weight_decay: number;
  adamw_lr: number;
  adamw_betas: [number, number];
  adamw_eps: number;
  adamw_weight_decay: number;
}
const DEFAULTS: Hp64 = { lr: 0.1, momentum: 0.95, nesterov: true, ns_steps: 5, weight_decay: 0, adamw_lr: 0.05, adamw_betas: [0.9, 0.95], adamw_eps: 1e-10, adamw_weight_decay: 0 };

/**
 * Matrices: B ← βB + (1 − β)G; M = (1 − β)G + βB with nesterov, else B; W ← W(1 − lrλ) − lr·NS(M)·√max(1, rows/cols).
 * Vectors: m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², θ ← θ(1 − lr_a λ_a) − lr_a (m/(1 − β₁ᵗ))/(√(v/(1 − β₂ᵗ)) + ε).
 */
function muon64(hp: Hp64, steps: number): number[][] {
  let x = [...X0];
  const buffers = [new Array<number>(6).fill(0), new Array<number>(6).fill(0)];
  const m = [0, 0];
  const v = [0, 0];
  const [beta1, beta2] = hp.adamw_betas;
  const path: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    const g = GRAD(x, t - 1);
    const next: number[] = [];
    ([[0, 2, 3], [6, 3, 2]] as const).forEach(([offset, rows, cols], p) => {
      const gp = g.slice(offset, offset + 6);
      buffers[p] = buffers[p].map((bi, k) => hp.momentum * bi + (1 - hp.momentum) * gp[k]);
      const direction = hp.nesterov ? gp.map((gi, k) => (1 - hp.momentum) * gi + hp.momentum * buffers[p][k]) : buffers[p];
      const o = newtonSchulz64(toMatrix(direction, rows, cols), hp.ns_steps).flat();
      const scale = Math.sqrt(Math.max(1, rows / cols));
      next.push(...x.slice(offset, offset + 6).map((w, k) => w * (1 - hp.lr * hp.weight_decay) - hp.lr * scale * o[k]));
    });
    for (let i = 0; i < 2; i++) {
      const gi = g[12 + i];
      m[i] = beta1 * m[i] + (1 - beta1) * gi;
      v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
      const step = m[i] / (1 - beta1 ** t) / (Math.sqrt(v[i] / (1 - beta2 ** t)) + hp.adamw_eps);
      next.push(x[12 + i] * (1 - hp.adamw_lr * hp.adamw_weight_decay) - hp.adamw_lr * step);
    }
    x = next;
    path.push(x);
  }
  return path;
}

const toHp = ({ lr: _lr, ...rest }: Hp64): HpRecord => rest;
const CASES: { what: string; hp: Hp64 }[] = [
  { what: 'defaults (nesterov, 5 steps) at lr 0.1, adamw_lr 0.05', hp: DEFAULTS },
  {
    what: 'plain momentum 0.9, 3 Newton–Schulz steps, decay on both sides, other AdamW betas and eps',
    hp: { ...DEFAULTS, nesterov: false, momentum: 0.9, ns_steps: 3, weight_decay: 0.1, adamw_betas: [0.8, 0.99], adamw_eps: 1e-3, adamw_weight_decay: 0.2 },
  },
];

describe('muon', () => {
  forEachBackend((backend) => {
    for (const { what, hp } of CASES) {
      it(`first three updates of a wide matrix, a tall one and a vector: ${what}`, () => {
        const expected = muon64(hp, 3);
        const { tensors, compiled } = stepShaped('muon', toHp(hp), SHAPES, X0, GRAD, hp.lr, 3);
        for (let k = 0; k < 3; k++) expectNear(tensors[k], expected[k], 1e-5, `tensors, step ${k + 1}`);
        assert.ok(Array.isArray(compiled), `muon compiles for these shapes: ${String(compiled)}`);
        for (let k = 0; k < 3; k++) expectNear(compiled[k], expected[k], 1e-5, `compiled, step ${k + 1}`);
      });
    }

    it('Newton–Schulz: a tall matrix is orthogonalised as its transpose, singular values near 1', () => {
      const g = [[1, 2], [3, -1], [0.5, 0.25], [-2, 1]];
      const ours = tf.tidy(() => newtonSchulz5(tf.tensor2d(g), 5).arraySync());
      expectNear(ours.flat(), newtonSchulz64(g, 5).flat(), 1e-5, 'NS5');
      // XᵀX of the result: the reference's coefficients leave singular values in about [0.7, 1.2], not exactly 1.
      const gram = matMul(transpose(ours), ours);
      for (let i = 0; i < 2; i++) assert.ok(gram[i][i] > 0.49 && gram[i][i] < 1.44, `σ² ${gram[i][i]}`);
    });

    // Bit for bit on cpu (the compiled matMul, norm and sums follow the cpu kernels' order). On wasm
    // TensorFlow.js's own matMul and reductions round differently, and five Newton–Schulz steps per update
    // carry that along: measured 4.6e-5 relative at most over 30 steps there.
    it('compiled = tensors over 30 steps with an lr that changes every step, for every option set (bit for bit on cpu)', () => {
      const lrAt = (k: number) => 0.05 * (1 + 0.5 * Math.sin(k));
      for (const { hp } of CASES) {
        const { tensors, compiled } = stepShaped('muon', toHp(hp), SHAPES, X0, GRAD, lrAt, 30);
        assert.ok(Array.isArray(compiled), String(compiled));
        const what = (k: number) => `step ${k + 1} of ${JSON.stringify(toHp(hp))}`;
        if (backend === 'cpu') tensors.forEach((x, k) => assert.deepEqual(compiled[k], x, what(k)));
        else tensors.forEach((x, k) => expectNear(compiled[k], x, 1e-4, what(k)));
      }
    });

    it('leaves no tensors behind for every option set, with matrix, vector, rank-3 and scalar parameters', () => {
      const shapes: ParamShapes = [...SHAPES, { name: 'T', shape: [2, 2, 2] }, { name: 's', shape: [] }];
      const x0 = Array.from({ length: 14 + 8 + 1 }, (_, i) => Math.cos(i) + 0.1);
      for (const { hp } of CASES) {
        const before = tf.memory().numTensors;
        const { tensors } = stepShaped('muon', toHp(hp), shapes, x0, GRAD, 0.1, 4);
        assert.ok(tensors[3].every(Number.isFinite));
        assert.equal(tf.memory().numTensors, before, `tensors leaked with ${JSON.stringify(toHp(hp))}`);
      }
    });

    it('a flat vector objective is all AdamW: the run\'s lr does not move it, adamw_lr does', () => {
      const shapes: ParamShapes = [{ name: '', shape: [2] }];
      const a = stepShaped('muon', { adamw_lr: 0.1 }, shapes, [1, -2], (x) => [...x], 0.5, 1).tensors[0];
      const b = stepShaped('muon', { adamw_lr: 0.1 }, shapes, [1, -2], (x) => [...x], 0.001, 1).tensors[0];
      assert.deepEqual(a, b);
      // Step 1 of Adam: m̂ = g, v̂ = g², so θ ← θ − adamw_lr·sign(g) (up to ε).
      expectNear(a, [0.9, -1.9], 1e-6, 'step 1');
    });
  });

  it('rejects out-of-range values with the value in the message', () => {
    const factory = optimizerFactory('muon');
    assert.throws(() => factory.create({ momentum: 1 }), /momentum.*must be in \[0, 1\), got 1/);
    assert.throws(() => factory.create({ ns_steps: 2.5 }), /ns_steps.*whole number >= 0, got 2.5/);
    assert.throws(() => factory.create({ adamw_betas: [0.9, 1] }), /adamw_betas.*\[0, 1\)/);
    assert.throws(() => factory.create({ adamw_lr: -1 }), /adamw_lr.*must be >= 0, got -1/);
  });
});
