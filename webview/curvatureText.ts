import type { CurvatureSample } from '../src/protocol/runner';
import { formatNumber } from './charts/buildSeries';

/** κ as far as the sample knows it: a value, a lower bound when Lanczos stopped early, or why there is none. */
export function conditionText(sample: CurvatureSample): string {
  if (sample.condition !== null) return `κ=${formatNumber(sample.condition)}`;
  const why = sample.stoppedBy ? ` (stopped by ${sample.stoppedBy})` : '';
  if (sample.conditionLowerBound !== undefined) return `κ≥${formatNumber(sample.conditionLowerBound)}, not converged${why}`;
  if (sample.converged === false) return `not converged${why}: λmin≈${formatNumber(sample.lambdaMin)} ± ${formatNumber(sample.residualMin)}`;
  return `indefinite, λmin=${formatNumber(sample.lambdaMin)}`;
}
