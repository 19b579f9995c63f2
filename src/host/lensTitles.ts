/**
 * Code lens titles above an objective: `▶ Run (adam)`, with the last
 * result inline after a run, or the reason it cannot run.
 */
import type { RunSnapshot } from '../protocol/webview';

/** Short numbers for one-line summaries: 3 significant digits, or 2 in exponent form outside [1e-3, 1e3). */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e3) return String(Number(x.toPrecision(3)));
  return x.toExponential(1).replace('e+', 'e');
}

/** One-line summary of a finished (or failed) run, for the lens and the status bar. */
export function summarizeRun(run: RunSnapshot): string | undefined {
  if (run.error) {
    const where = run.error.line ? ` (line ${run.error.line})` : '';
    return `⚠ ${firstLine(run.error.message)}${where}`;
  }
  if (!run.done) return undefined;
  const steps = run.steps.length > 0 ? run.steps[run.steps.length - 1].step + 1 : 0;
  const parts: string[] = [];
  if (run.done.status === 'diverged') parts.push(`diverged${run.done.message ? `: ${firstLine(run.done.message)}` : ''}`);
  else if (run.done.status === 'time-limit') parts.push(`time limit after ${steps} steps`);
  else parts.push(`${formatNumber(run.done.final.loss)} after ${steps} steps`);
  if (run.done.status === 'cancelled') parts.push('stopped');
  const last = run.curvature[run.curvature.length - 1];
  if (last?.condition !== null && last?.condition !== undefined) parts.push(`κ≈${formatNumber(last.condition)}`);
  // Lanczos stopped before its ends converged: κ is only bounded below, and the lens says so.
  else if (last?.conditionLowerBound !== undefined) parts.push(`κ≥${formatNumber(last.conditionLowerBound)} (not converged)`);
  else if (last?.classification === 'saddle') parts.push('saddle');
  return parts.join(' · ');
}

function firstLine(s: string): string {
  const line = s.split('\n')[0];
  return line.length > 80 ? `${line.slice(0, 77)}…` : line;
}

export interface LensTitles {
  readonly run: string;
  readonly compare: string;
  readonly hessian: string;
  readonly landscape: string;
}

export function lensTitles(optimizer: string, last?: RunSnapshot): LensTitles {
  const summary = last ? summarizeRun(last) : undefined;
  return {
    run: `▶ Run (${optimizer})${summary ? ` · ${summary}` : ''}`,
    compare: 'Compare',
    hessian: 'Hessian',
    landscape: 'Landscape',
  };
}

/** The single lens shown instead when the objective cannot run. */
export function problemTitle(problem: string): string {
  return `⚠ Cannot run: ${firstLine(problem)}`;
}
