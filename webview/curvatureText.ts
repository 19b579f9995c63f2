import type { CurvatureSample } from '../src/protocol/runner';
import type { RunSnapshot } from '../src/protocol/webview';
import { formatNumber } from './charts/buildSeries';

/** κ as far as the sample knows it: a value, a lower bound when Lanczos stopped early, or why there is none. */
export function conditionText(sample: CurvatureSample): string {
  if (sample.condition !== null) return `κ=${formatNumber(sample.condition)}`;
  const why = sample.stoppedBy ? ` (stopped by ${sample.stoppedBy})` : '';
  if (sample.conditionLowerBound !== undefined) return `κ≥${formatNumber(sample.conditionLowerBound)}, not converged${why}`;
  if (sample.converged === false) return `not converged${why}: λmin≈${formatNumber(sample.lambdaMin)} ± ${formatNumber(sample.residualMin)}`;
  return `indefinite, λmin=${formatNumber(sample.lambdaMin)}`;
}

const verdictWords: Record<string, string> = {
  minimum: 'local minimum', maximum: 'local maximum', saddle: 'saddle point', degenerate: 'degenerate critical point',
  'not-critical': 'not a critical point',
};

/** One line per run with curvature samples: its last sample's verdict, κ and why it may not be trusted. */
export function curvatureVerdicts(runs: Iterable<RunSnapshot>, label: (run: RunSnapshot) => string): string[] {
  const verdicts: string[] = [];
  for (const run of runs) {
    const last = run.curvature[run.curvature.length - 1];
    if (!last) continue;
    const cls = verdictWords[last.classification ?? ''] ?? 'not classified';
    const trust = (last.hvpMismatch ? ` — not trusted: ${last.hvpMismatch}` : '') + (last.verdictNote ? ` — ${last.verdictNote}` : '');
    verdicts.push(`${label(run)} at step ${last.step}: ${cls}${last.negativeCount ? ` (${last.negativeCount} negative)` : ''}, ${conditionText(last)}${trust}`);
  }
  return verdicts;
}
