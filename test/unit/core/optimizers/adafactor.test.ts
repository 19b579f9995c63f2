import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import type { HpRecord } from '../../../../src/core/hyperparams';
import type { ParamShapes } from '../../../../src/core/optimizer';
import { optimizerFactory } from '../../../../src/core/optimizers/registry';
import { forEachBackend } from '../../helpers/backends';
import { expectNear, stepShaped, type FlatGradient } from '../../helpers/stepShaped';

/**
 * adafactor's first updates against torch 2.5's Adafactor update rule written out below in float64, on a
 * record of a 2×3 matrix W (factored second moment) and a vector b of 2 (full second moment), flat [W, b].
 */
const SHAPES: ParamShapes = [
  { name: 'W', shape: [2, 3] },
  { name: 'b', shape: [2] },
];
const X0 = [0.5, -1, 1.5, 2, -0.25, 0.75, 1, -2];
/** A gradient that is not a rank-1 pattern (so the factored estimate differs from g²): g_i = (0.5 + i mod 3)·x_i − 0.3·(i + 1). */
const GRAD: FlatGradient = (x) => x.map((v, i) => (0.5 + (i % 3)) * v - 0.3 * (i + 1));

interface Hp64 {
  lr: number;
  beta2_decay: number;
  eps1: number;
  eps2: number;
  d: number;
  weight_decay: number;
  maximize: boolean;
}
const DEFAULTS: Hp64 = { lr: 0.1, beta2_decay: -0.8, eps1: 2 ** -23, eps2: 1e-3, d: 1, weight_decay: 0, maximize: false };

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const rms = (v: number[]) => Math.sqrt(mean(v.map((e) => e * e)));

/**
 * torch 2.5's Adafactor in float64, per tensor, at step t: w = t^τ, ρ = min(lr, 1/√t), α = max(ε₂, RMS(θ))·ρ;
 * θ ← θ(1 − lr·λ); W: R_i ← R_i + w(mean_j G²_ij − R_i), C_j ← C_j + w(mean_i G²_ij − C_j),
 * V̂_ij = R_i·C_j / max(mean_i R_i, ε₁); b: V ← V + w(G² − V), V̂ = V; U = G/√max(V̂, ε₁²);
 * θ ← θ − α/max(1, RMS(U)/d)·U.
 */
function adafactor64(hp: Hp64, steps: number): number[][] {
  let x = [...X0];
  const R = [0, 0];
  const C = [0, 0, 0];
  const V = [0, 0];
  const path: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    const g = GRAD(x, t - 1).map((v) => (hp.maximize ? -v : v));
    const w = t ** hp.beta2_decay;
    const rho = Math.min(hp.lr, 1 / Math.sqrt(t));
    const gW = g.slice(0, 6);
    const g2 = (i: number, j: number) => gW[3 * i + j] ** 2;
    for (let i = 0; i < 2; i++) R[i] += w * (mean([0, 1, 2].map((j) => g2(i, j))) - R[i]);
    for (let j = 0; j < 3; j++) C[j] += w * (mean([0, 1].map((i) => g2(i, j))) - C[j]);
    const rowMean = Math.max(mean(R), hp.eps1);
    const vW = gW.map((_, k) => (R[Math.floor(k / 3)] * C[k % 3]) / rowMean);
    for (let i = 0; i < 2; i++) V[i] += w * (g[6 + i] ** 2 - V[i]);
    const step = (theta: number[], grad: number[], vHat: number[]) => {
      const alpha = Math.max(hp.eps2, rms(theta)) * rho;
      const u = grad.map((gi, k) => gi / Math.sqrt(Math.max(vHat[k], hp.eps1 ** 2)));
      const clip = Math.max(1, rms(u) / hp.d);
      return theta.map((th, k) => th * (1 - hp.lr * hp.weight_decay) - (alpha / clip) * u[k]);
    };
    x = [...step(x.slice(0, 6), gW, vW), ...step(x.slice(6), g.slice(6), V)];
    path.push(x);
  }
  return path;
}

const toHp = (hp: Hp64): HpRecord => ({ beta2_decay: hp.beta2_decay, eps: [hp.eps1, hp.eps2], d: hp.d, weight_decay: hp.weight_decay, maximize: hp.maximize });

const CASES: { what: string; hp: Hp64 }[] = [
  { what: 'defaults at lr 0.1 (ρ = lr, the update clipped to RMS 1)', hp: DEFAULTS },
  // lr 1: ρ_t = 1/√t. RMS(W₀) ≈ 1.16 < ε₂ = 1.2 < RMS(b₀) ≈ 1.58: α takes ε₂ for W and RMS(b) for b.
  { what: 'lr 1 (ρ = 1/√t), decay, d = 1.5, τ = −0.5, ε₂ above RMS(W)', hp: { ...DEFAULTS, lr: 1, weight_decay: 0.1, d: 1.5, beta2_decay: -0.5, eps2: 1.2 } },
  { what: 'maximize (G = −∇), ε₁ = 1e-3, no clipping (d = 10)', hp: { ...DEFAULTS, maximize: true, eps1: 1e-3, d: 10 } },
];

describe('adafactor', () => {
  it('the hand model takes the branches each case names', () => {
    assert.ok(rms(X0.slice(0, 6)) < 1.2 && rms(X0.slice(6)) > 1.2, 'ε₂ = 1.2 lies between RMS(W) and RMS(b)');
  });

  forEachBackend((backend) => {
    for (const { what, hp } of CASES) {
      it(`first three updates of a matrix and a vector: ${what}`, () => {
        const expected = adafactor64(hp, 3);
        const { tensors, compiled } = stepShaped('adafactor', toHp(hp), SHAPES, X0, GRAD, hp.lr, 3);
        assert.ok(Array.isArray(compiled), `adafactor compiles for a 2×3 matrix and a vector: ${String(compiled)}`);
        for (let k = 0; k < 3; k++) {
          expectNear(tensors[k], expected[k], 1e-5, `tensors, step ${k + 1}`);
          expectNear(compiled[k], expected[k], 1e-5, `compiled, step ${k + 1}`);
        }
      });
    }

    it('a vector alone takes the full second moment: step 1 is −α·sign(g) scaled by the clip', () => {
      // t = 1: w = 1, so V = g² and U = g/|g| = ±1, RMS(U) = 1 (no clip at d = 1); α = max(ε₂, RMS(x0))·0.1.
      const x0 = [3, -4];
      const { tensors } = stepShaped('adafactor', {}, [{ name: '', shape: [2] }], x0, (x) => [...x], 0.1, 1);
      const alpha = Math.sqrt((9 + 16) / 2) * 0.1;
      expectNear(tensors[0], [3 - alpha, -4 + alpha], 1e-6, 'step 1');
    });

    // Not bit for bit, unlike the elementwise built-ins: on cpu the compiled form's 1/√v (Rsqrt) and reductions
    // round a few ulps apart from TensorFlow.js's from step 4 on (measured 2.2e-7 relative at most over 30 steps);
    // on wasm TensorFlow.js's own reduction kernels round differently from the cpu ones the compiled form follows
    // (measured 1.3e-5 at most). The 200-step reference test holds both forms to torch.
    it('compiled stays within float32 roundoff of tensors over 30 steps with an lr that changes every step, for every option set', () => {
      const tolerance = backend === 'cpu' ? 1e-6 : 1e-4;
      const lrAt = (k: number) => 0.05 * (1 + 0.5 * Math.sin(k));
      for (const { hp } of CASES) {
        const { tensors, compiled } = stepShaped('adafactor', toHp(hp), SHAPES, X0, GRAD, lrAt, 30);
        assert.ok(Array.isArray(compiled), String(compiled));
        tensors.forEach((x, k) => expectNear(compiled[k], x, tolerance, `step ${k + 1} of ${JSON.stringify(toHp(hp))}`));
      }
    });

    it('leaves no tensors behind for every option set, with vector, matrix, rank-3 and scalar parameters', () => {
      const shapes: ParamShapes = [...SHAPES, { name: 'T', shape: [2, 2, 3] }, { name: 's', shape: [] }];
      const x0 = Array.from({ length: 8 + 12 + 1 }, (_, i) => Math.cos(i) + 0.1);
      for (const { hp } of CASES) {
        const before = tf.memory().numTensors;
        const { tensors } = stepShaped('adafactor', toHp(hp), shapes, x0, GRAD, 0.1, 4);
        assert.ok(tensors[3].every(Number.isFinite));
        assert.equal(tf.memory().numTensors, before, `tensors leaked with ${JSON.stringify(toHp(hp))}`);
      }
    });
  });

  it('rejects values torch rejects, with the value in the message', () => {
    const factory = optimizerFactory('adafactor');
    assert.throws(() => factory.create({ beta2_decay: 0.5 }), /beta2_decay.*must be <= 0, got 0.5/);
    assert.throws(() => factory.create({ eps: [-1, 1e-3] }), /eps.*>= 0/);
    assert.throws(() => factory.create({ d: 0.5 }), /d.*must be >= 1, got 0.5/);
    assert.throws(() => factory.create({ weight_decay: -0.1 }), /weight_decay.*must be >= 0, got -0.1/);
  });
});
