import type { RunSnapshot } from '../src/protocol/webview';
import type { Marker } from './charts/seriesChart';
import { xOfStepIndex } from './charts/xAxis';
import { formatLr } from './controls';
import type { UiState } from './uiState';

/**
 * A marker where each run's lr was changed mid-run: on the step axis ('steps': the lr and curvature charts)
 * or on the axis the user chose for loss and gradient ('chosen': steps, evaluations or time; +1 on log-log).
 */
export function lrMarkers(runs: readonly RunSnapshot[], axis: 'chosen' | 'steps', ui: UiState, colour: (run: RunSnapshot) => string): Marker[] {
  const out: Marker[] = [];
  for (const run of runs) {
    for (const c of run.lrChanges) {
      const x = axis === 'steps' ? c.step : xOfStepIndex(run, c.step, ui.xAxis) + (ui.logLog && ui.xAxis === 'steps' ? 1 : 0);
      if (Number.isFinite(x)) out.push({ x, color: colour(run), label: `lr→${formatLr(c.lr)}` });
    }
  }
  return out;
}
