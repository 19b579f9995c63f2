import * as tf from '@tensorflow/tfjs';
import type { LinearOperator } from './hvp';
import { symmetricEigen } from './symmetricEigen';

export interface ExactSpectrum {
  /** The Hessian, symmetrised: (H + Hᵀ)/2, rows on the host. */
  hessian: number[][];
  /** Every eigenvalue, ascending. */
  eigenvalues: number[];
  /** max |H − Hᵀ|/2: float32 rounding in the HVPs, the error bar of each eigenvalue. */
  asymmetry: number;
}

/** The full Hessian from n HVPs (one per unit vector), then a symmetric eigensolver. For small n. */
export async function exactSpectrum(apply: LinearOperator, n: number): Promise<ExactSpectrum> {
  const columns = tf.tidy(() => {
    const identity = tf.eye(n);
    return tf.stack(tf.unstack(identity).map((e) => apply(e as tf.Tensor1D)));
  });
  const flat = await columns.data();
  columns.dispose();
  const at = (i: number, j: number) => flat[i * n + j];
  const hessian: number[][] = [];
  let asymmetry = 0;
  for (let i = 0; i < n; i++) {
    const row: number[] = [];
    for (let j = 0; j < n; j++) {
      row.push((at(i, j) + at(j, i)) / 2);
      asymmetry = Math.max(asymmetry, Math.abs(at(i, j) - at(j, i)) / 2);
    }
    hessian.push(row);
  }
  return { hessian, eigenvalues: symmetricEigen(hessian).values, asymmetry };
}
