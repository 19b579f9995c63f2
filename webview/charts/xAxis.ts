/** The x value of a step record under the chosen x-axis. */
import type { DashboardStep, RunSnapshot } from '../../src/protocol/webview';
import type { XAxis } from '../uiState';

export function xOfStep(s: DashboardStep, axis: XAxis): number {
  if (axis === 'lr') return s.lr;
  return axis === 'steps' ? s.step : axis === 'evals' ? s.evals : s.wallMs / 1000;
}

/** x of step `step` of `run` (for markers and curvature samples); NaN when not yet recorded. */
export function xOfStepIndex(run: RunSnapshot, step: number, axis: XAxis): number {
  if (axis === 'steps') return step;
  const s = run.steps[step]?.step === step ? run.steps[step] : run.steps.find((r) => r.step === step);
  return s ? xOfStep(s, axis) : NaN;
}

export const xAxisTitle: Record<XAxis, string> = { steps: 'step', evals: 'function evaluations', wall: 'wall time (s)', lr: 'learning rate' };

/** Learning rates span decades (an lr range test: 1e-7 to 10): their axis is logarithmic. */
export const xAxisIsLog = (axis: XAxis, logLog: boolean): boolean => logLog || axis === 'lr';
