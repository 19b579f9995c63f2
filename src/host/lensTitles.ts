/**
 * Code lens titles above an objective: `▶ Run (adam)`, with the last
 * result inline after a run, or the reason it cannot run.
 */
import { edgeOfStabilityState } from '../protocol/diagnostics';
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
  const edge = last ? edgeOfStabilityState(last) : undefined;
  if (edge === 'at') parts.push('at the edge of stability');
  else if (edge === 'past') parts.push('past the edge of stability');
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

/**
 * What the ▶ Run lens says about the last batch of runs on the objective (one Run, or every run of a Compare):
 * the result of the run it names. One run: its summary, prefixed with its optimizer when that is not the lens's
 * (`last: lbfgs 9.1e-13 after 500 steps`); several: the lowest final loss among those that finished
 * (`best: lbfgs 9.1e-13 · 3 runs`). `batchSize`: how many runs the batch started (some may still run).
 */
export function lastResultText(optimizer: string, finished: readonly RunSnapshot[], batchSize = finished.length): string | undefined {
  if (finished.length === 0) return undefined;
  if (batchSize <= 1) {
    const run = finished[finished.length - 1];
    const summary = summarizeRun(run);
    const name = run.meta?.optimizer.id;
    return summary && name !== undefined && name !== optimizer ? `last: ${name} ${summary}` : summary;
  }
  const scored = finished.filter((r) => r.done && r.done.status !== 'diverged' && Number.isFinite(r.done.final.loss));
  const runs = `${batchSize} runs`;
  if (scored.length === 0) return `${runs}, none finished`;
  const best = scored.reduce((a, b) => ((b.done?.final.loss ?? Infinity) < (a.done?.final.loss ?? Infinity) ? b : a));
  return `best: ${best.meta?.optimizer.id ?? best.runId} ${formatNumber(best.done?.final.loss ?? NaN)} · ${runs}`;
}

/** `last`: the finished runs of the objective's last batch (one run, or a Compare's), or one run. */
export function lensTitles(optimizer: string, last?: RunSnapshot | readonly RunSnapshot[], batchSize?: number): LensTitles {
  const finished = last === undefined ? [] : Array.isArray(last) ? last : [last as RunSnapshot];
  const summary = lastResultText(optimizer, finished, batchSize ?? finished.length);
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
