/**
 * The Trajectory card for a PCA or Hessian slice (src/protocol/pathSlice.ts):
 * the loss on the plane through the first run's final point, shaded with
 * contour lines, every run's path projected onto it in the run's colour, and
 * a caption that says what the directions are (the explained variance of the
 * PCA directions, the Hessian's eigenvalues).
 */
import type { PathSlice } from '../../src/protocol/pathSlice';
import type { RunSnapshot } from '../../src/protocol/webview';
import type { Theme } from '../theme';
import type { SeriesContext } from './buildSeries';
import { landscapeLayer } from './landscapeLayer';
import { staticSeries, type Series } from './series';
import type { TrajectoryView } from './trajectoryView';

const percent = (v: number): string => `${(100 * v).toFixed(1)} %`;

export function sliceCaption(slice: PathSlice, label: string): string {
  if (slice.method === 'pca') {
    const shares = slice.explained ? `; PC1 explains ${percent(slice.explained[0])} and PC2 ${percent(slice.explained[1])} of the path's variance` : '';
    return `loss on the plane of the top two PCA directions of ${label}'s path (Li et al. 2018, §7) through its final point${shares}; every run projected onto it`;
  }
  const lambdas = slice.eigenvalues ? ` (λ₁ = ${slice.eigenvalues[0].toPrecision(3)}, λ₂ = ${slice.eigenvalues[1].toPrecision(3)})` : '';
  return `loss on the plane of the top two Hessian eigenvectors at ${label}'s final point${lambdas}; every run projected onto it`;
}

export function pathSliceView(
  slice: PathSlice, runs: readonly RunSnapshot[], ctxOf: (run: RunSnapshot) => SeriesContext, label: (run: RunSnapshot) => string, theme: Theme,
): TrajectoryView {
  const { grid } = slice;
  const ys = grid.ys ?? [0, 1];
  const byId = new Map(runs.map((r) => [r.runId, r]));
  const series: Series[] = slice.paths.flatMap((path) => {
    const run = byId.get(path.runId);
    if (!run) return [];
    const colour = ctxOf(run).colour;
    const points = path.points.map(([x, y]) => ({ x, y }));
    return [
      staticSeries({ key: `${path.runId}:slicePath`, runId: path.runId, ghost: false, label: label(run), style: { color: colour, width: 2, pointRadius: 2 } }, () => points),
      staticSeries({ key: `${path.runId}:sliceEnd`, runId: path.runId, ghost: false, label: `${label(run)} final point`, style: { color: colour, width: 0, pointRadius: 5, showLine: false } }, () => points.slice(-1)),
    ];
  });
  const first = byId.get(slice.paths[0]?.runId ?? '');
  const missing = slice.missing.length > 0 ? { note: `not on this slice (path not recorded in this session): ${slice.missing.join(', ')}` } : {};
  return {
    ...missing,
    mode: 'slice2d',
    caption: sliceCaption(slice, first ? label(first) : 'the first run'),
    series,
    grid: { xs: grid.xs, ys, values: grid.values },
    spec: {
      x: { type: 'linear', title: grid.axes?.[0] ?? 'α', min: grid.xs[0], max: grid.xs[grid.xs.length - 1] },
      y: { type: 'linear', title: grid.axes?.[1] ?? 'β', min: ys[0], max: ys[ys.length - 1] },
      unsorted: true, background: landscapeLayer({ xs: grid.xs, ys, values: grid.values }, theme), bg: theme.bg,
    },
  };
}
