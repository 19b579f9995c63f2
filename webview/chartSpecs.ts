/**
 * Each chart's axes (type, title, limits) from the dashboard's state: log or linear loss, the divergence
 * ceiling, the lr chart's decades. Pure functions of what they are given, so the dashboard only asks.
 */
import type { RunSnapshot } from '../src/protocol/webview';
import type { ChartKind } from './chartCards';
import { spectrumAxes } from './spectrumChart';
import type { ChartSpec } from './charts/seriesChart';
import type { TrajectoryView } from './charts/trajectoryView';
import { xAxisIsLog, xAxisTitle } from './charts/xAxis';
import type { DashboardModel } from './dashboardModel';
import type { Theme } from './theme';
import type { UiState } from './uiState';

/** What the specs read: the view's settings, the theme, the runs, and the trajectory view. */
export interface SpecInputs {
  readonly ui: UiState;
  readonly theme: Theme;
  readonly model: DashboardModel;
  visible(): { run: RunSnapshot; ghost: boolean }[];
  trajectory(): TrajectoryView;
}

export function chartSpec(kind: ChartKind, o: SpecInputs): ChartSpec {
  const ui = o.ui;
  const xTitle = xAxisTitle[ui.xAxis];
  switch (kind) {
    case 'loss': {
      const subopt = ui.suboptimality && [...o.model.runs.values()].some((r) => r.meta?.minimum !== undefined);
      const log = lossIsLog(o);
      const title = subopt ? 'f − f*' : 'loss';
      return {
        x: { type: xAxisIsLog(ui.xAxis, ui.logLog) ? 'logarithmic' : 'linear', title: ui.logLog && ui.xAxis === 'steps' ? 'step + 1' : xTitle },
        y: {
          type: log ? 'logarithmic' : 'linear',
          title: log || ui.lossScale === 'linear' ? title : `${title} (linear: it goes below 0)`,
          cap: log ? ceiling(o, (s) => s.loss - (subopt ? s.minimum : 0)) : undefined,
        },
        bg: o.theme.bg,
      };
    }
    case 'grad':
      return { x: { type: xAxisIsLog(ui.xAxis, false) ? 'logarithmic' : 'linear', title: xTitle }, y: { type: 'logarithmic', title: 'norm', cap: ceiling(o, (s) => s.gradNorm) }, bg: o.theme.bg };
    case 'lr': {
      const lrs = [...o.model.runs.values()].map((r) => r.meta?.optimizer.lr ?? 0).filter((v) => v > 0);
      const min = lrs.length > 0 ? 10 ** Math.floor(Math.log10(Math.min(...lrs)) - 3) : undefined;
      // A decade of room above the largest lr, so a constant lr is not drawn on the chart's top edge.
      const max = lrs.length > 0 ? 10 ** (Math.floor(Math.log10(Math.max(...lrs))) + 1) : undefined;
      return { x: { type: 'linear', title: 'step' }, y: { type: 'logarithmic', title: 'learning rate', min, max }, bg: o.theme.bg };
    }
    case 'curvature':
      return { x: { type: 'linear', title: 'step' }, y: { type: 'logarithmic', title: 'eigenvalue, κ' }, bg: o.theme.bg };
    case 'edge':
      return { x: { type: 'linear', title: 'step' }, y: { type: 'logarithmic', title: 'sharpness and its limit' }, bg: o.theme.bg };
    case 'spectrum':
      return { ...spectrumAxes(() => o.visible().map(({ run }) => run)), bg: o.theme.bg };
    case 'trajectory':
      return o.trajectory().spec;
  }
}

/**
 * A diverging run would squash every other curve: the log axis stops 4
 * decades above the largest starting value (the blow-up leaves the top).
 */
export function ceiling(o: SpecInputs, value: (s: { loss: number; gradNorm: number; minimum: number }) => number): number | undefined {
  let top = 0;
  for (const run of o.model.runs.values()) {
    const first = run.steps[0];
    if (first) top = Math.max(top, value({ loss: first.loss, gradNorm: first.gradNorm, minimum: run.meta?.minimum ?? 0 }));
  }
  return top > 0 && Number.isFinite(top) ? 10 ** Math.ceil(Math.log10(top) + 4) : undefined;
}

/**
 * Log unless the user chose linear, or a shown run's loss went below 0 (an
 * objective unbounded below, like x + sin x): a log axis would drop it.
 */
export function lossIsLog(o: SpecInputs): boolean {
  const ui = o.ui;
  if (ui.lossScale === 'linear' && !ui.logLog) return false;
  const hidden = new Set(ui.hidden);
  const offset = (r: RunSnapshot) => (ui.suboptimality ? r.meta?.minimum ?? 0 : 0);
  return !o.visible().some(({ run }) => !hidden.has(run.runId) && o.model.lowestLoss(run.runId) - offset(run) < 0);
}
