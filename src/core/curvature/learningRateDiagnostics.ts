export interface LearningRateDiagnostics {
  /** 2/λmax: gradient descent with a larger lr diverges along the top eigenvector. */
  stabilityEdge: number | null;
  /** 1/λmax: the lr that would take the sharpest direction to its minimum in one step. */
  suggestedLr: number | null;
  /** lr·λmax/2: above 1 the run is past the edge of stability. */
  edgeRatio: number | null;
}

/** Sharpness λmax against the current learning rate (null where λmax ≤ 0: no finite edge). */
export function learningRateDiagnostics(lambdaMax: number, lr: number): LearningRateDiagnostics {
  if (!(lambdaMax > 0) || !Number.isFinite(lambdaMax)) return { stabilityEdge: null, suggestedLr: null, edgeRatio: null };
  return { stabilityEdge: 2 / lambdaMax, suggestedLr: 1 / lambdaMax, edgeRatio: Number.isFinite(lr) ? (lr * lambdaMax) / 2 : null };
}
