import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

export interface SymmetricEigen {
  /** Ascending. */
  readonly values: number[];
  /** vectors[i] is the unit eigenvector of values[i]. */
  readonly vectors: number[][];
}

/** Eigen-decomposition of a small dense symmetric matrix (rows on the host). */
export function symmetricEigen(rows: number[][]): SymmetricEigen {
  const decomposition = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
  const raw = decomposition.realEigenvalues;
  const basis = decomposition.eigenvectorMatrix;
  const order = raw.map((_, i) => i).sort((a, b) => raw[a] - raw[b]);
  return { values: order.map((i) => raw[i]), vectors: order.map((i) => basis.getColumn(i)) };
}
