import type { RunSnapshot } from '../src/protocol/webview';
import { curvatureSeriesOf, gradientSeries, lossSeries, lrSeries, type SeriesContext } from './charts/buildSeries';
import { groupLossSeries } from './charts/groupSeries';
import type { Series } from './charts/series';
import type { ChartKind } from './chartCards';
import { edgeSeriesOf } from './edgeOfStabilityChart';
import { densitySeriesOf } from './spectrumChart';
import { type Theme, withAlpha } from './theme';
import type { UiState } from './uiState';

/** What the series read besides the runs: the view's settings and theme, each run's look, a seed group's label. */
export interface SeriesInputs {
  readonly ui: UiState;
  readonly theme: Theme;
  context(run: RunSnapshot, ghost: boolean): SeriesContext;
  groupLabel(members: readonly RunSnapshot[]): string;
}

/**
 * Every chart's series for the visible runs (trajectory's apart: it needs the whole view): a seed group
 * with two or more visible members is one mean line and band on the loss chart; on log-log axes each
 * run gets an (empty) convergence-fit line, returned in `fits` to be refitted as the loss grows.
 */
export function chartSeries(
  runs: readonly { run: RunSnapshot; ghost: boolean }[],
  groups: ReadonlyMap<string, readonly RunSnapshot[]>,
  o: SeriesInputs,
): { series: Record<ChartKind, Series[]>; fits: { runId: string; series: Series }[] } {
  const series: Record<ChartKind, Series[]> = { loss: [], grad: [], lr: [], curvature: [], edge: [], spectrum: [], trajectory: [] };
  const shown = () => runs.map(({ run }) => run);
  const fits: { runId: string; series: Series }[] = [];
  const grouped = new Set<string>();
  for (const [group, all] of groups) {
    const members = all.filter((r) => runs.some((v) => v.run === r));
    if (members.length < 2 || o.ui.hidden.includes(group)) continue;
    for (const m of members) grouped.add(m.runId);
    series.loss.push(...groupLossSeries(group, members, o.context(members[0], false), o.groupLabel(members)));
  }
  for (const { run, ghost } of runs) {
    const c = o.context(run, ghost);
    if (!grouped.has(run.runId)) series.loss.push(...lossSeries(run, c));
    series.grad.push(...gradientSeries(run, c));
    if (ghost) continue;
    series.lr.push(...lrSeries(run, c));
    series.curvature.push(...curvatureSeriesOf(run, c));
    series.edge.push(...edgeSeriesOf(run, c));
    series.spectrum.push(densitySeriesOf(run, c, shown));
    if (o.ui.logLog) {
      const fit: Series = {
        key: `${run.runId}:fit`, runId: run.runId, ghost: false, label: `fit ${run.runId}`,
        style: { color: withAlpha(o.theme.fg, 0.7), width: 1, dash: [8, 4] }, points: [], pull: () => false, rewrites: true,
      };
      fits.push({ runId: run.runId, series: fit });
      series.loss.push(fit);
    }
  }
  return { series, fits };
}
