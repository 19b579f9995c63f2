import * as tf from '@tensorflow/tfjs';

/**
 * Orthogonalised updates (Muon) on an ill-conditioned matrix factorisation.
 *
 * Fit an 8×8 target M of rank 4 with singular values 1, 0.1, 0.01, 0.001 by a product U·W
 * (U 8×4, W 4×8) from a small random start: loss ½‖U·W − M‖²_F, minimum 0. Each singular
 * direction left unlearned costs ½σ² (the last one 5e-7). Gradient methods learn a direction at
 * a speed that grows with its singular value, so the small ones come last; Muon replaces each
 * matrix's momentum by the nearest (semi-)orthogonal matrix (Newton–Schulz), which moves every
 * direction at the same rate. lowRankWithBias adds a bias vector b, which Muon hands to its
 * AdamW fallback (its own lr, adamw_lr: the run's lr and schedule drive the matrices only).
 *
 * Try:
 *   optlab run examples/orthogonalised.ts --objective lowRank --optimizer muon --lr 0.05 --schedule cosine:T_max=300 --steps 300
 *   optlab run examples/orthogonalised.ts --objective lowRank --optimizer adamw --lr 0.1 --schedule cosine:T_max=300 --steps 300
 *   optlab run examples/orthogonalised.ts --objective lowRank --optimizer muon --lr 0.02 --steps 300   (no decay)
 *   optlab run examples/orthogonalised.ts --objective lowRankWithBias --optimizer muon --lr 0.05 --hp adamw_lr=0.01 --schedule cosine:T_max=300 --steps 300
 * Muon's lr is a spectral step size: try 0.01-0.1; AdamW 0.01-0.1; sgd with momentum 0.9 up to 0.5 (1 diverges).
 *
 * Measured with the CLI (seed 0, 300 steps, final loss; default backend wasm):
 *   cosine schedule: muon lr 0.05 1.4e-9 (all four directions; 5.2e-8 with --backend cpu, where it
 *     runs compiled: the last digits of a finish this fine depend on rounding), muon lr 0.02 5.0e-7;
 *     adamw lr 0.1 7.0e-7 and lr 0.03 5.7e-6; sgd momentum 0.9 lr 0.5 3.1e-7; adafactor lr 0.1 1.9e-6:
 *     the gradient methods have not yet found the 0.001 direction (worth 5e-7).
 *   constant lr: muon lr 0.02 2.2e-4, lr 0.05 1.2e-3: Muon's steps keep spectral size lr, so without
 *     a decaying lr it hovers; adamw lr 0.1 5.1e-7; sgd momentum 0.9 lr 0.5 1.9e-7.
 *   lowRankWithBias, cosine: muon lr 0.05 with adamw_lr 0.01 8.0e-8, with the default adamw_lr 3e-4
 *     4.5e-7 (b learns slowly); adamw lr 0.1 5.0e-5.
 *
 * Lesson: orthogonalising a matrix's update equalises its singular directions, which helps when the
 * problem's scales differ by orders of magnitude; its fixed step size wants an lr schedule to settle.
 */
const SIGMAS = [1, 0.1, 0.01, 0.001];

/** Column j of the 8×8 Sylvester–Hadamard matrix over √8: orthonormal vectors with entries ±1/√8. */
function hadamard(j: number): number[] {
  return Array.from({ length: 8 }, (_, i) => (bitCount(i & j) % 2 === 0 ? 1 : -1) / Math.sqrt(8));
}
function bitCount(n: number): number {
  let c = 0;
  for (let m = n; m > 0; m >>= 1) c += m & 1;
  return c;
}

/** M = Σ_k σ_k h_{k+1} h_{k+4}ᵀ: singular values SIGMAS, singular vectors Hadamard columns. */
const TARGET: number[][] = Array.from({ length: 8 }, (_, i) =>
  Array.from({ length: 8 }, (_, j) => SIGMAS.reduce((s, sigma, k) => s + sigma * hadamard(k + 1)[i] * hadamard(k + 4)[j], 0)),
);

export function lowRank(p: { U: tf.Tensor2D; W: tf.Tensor2D }): tf.Scalar {
  return tf.tidy(() => tf.matMul(p.U, p.W).sub(tf.tensor2d(TARGET)).square().sum().mul(0.5) as tf.Scalar);
}
lowRank.init = (rng: { normals(shape: number[], std?: number): unknown }) => ({ U: rng.normals([8, 4], 0.1), W: rng.normals([4, 8], 0.1) });
lowRank.minimum = 0;

/** The same fit through U·W + b·1ᵀ with a bias vector b (the target has none, so b should go to 0). */
export function lowRankWithBias(p: { U: tf.Tensor2D; W: tf.Tensor2D; b: tf.Tensor1D }): tf.Scalar {
  return tf.tidy(() => tf.matMul(p.U, p.W).add(p.b.reshape([8, 1])).sub(tf.tensor2d(TARGET)).square().sum().mul(0.5) as tf.Scalar);
}
lowRankWithBias.init = (rng: { normals(shape: number[], std?: number): unknown }) => ({
  U: rng.normals([8, 4], 0.1),
  W: rng.normals([4, 8], 0.1),
  b: rng.normals([8], 0.1),
});
lowRankWithBias.minimum = 0;
