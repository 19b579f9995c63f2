/**
 * What the Trajectory card shows, from the runs' parameter counts and
 * landscapes: 2 parameters, the contour over the domain with every run's
 * path; 1 parameter, the loss curve with every run's path as (x, loss); more,
 * the random filter-normalised slice through the initial point (2-D contour
 * or 1-D curve, Li et al. 2018) with the initial point marked.
 */
import type { Landscape, RunSnapshot } from '../../src/protocol/webview';
import type { Theme } from '../theme';
import { withAlpha } from '../theme';
import { pathSeries, type SeriesContext } from './buildSeries';
import type { Grid2d } from './contour';
import { landscapeLayer } from './landscapeLayer';
import type { Point, Series } from './series';
import { staticSeries } from './series';
import type { ChartSpec } from './seriesChart';

export type TrajectoryMode = 'contour' | 'curve' | 'slice2d' | 'slice1d' | 'none';

export interface TrajectoryView {
  mode: TrajectoryMode;
  series: Series[];
  spec: ChartSpec;
  caption: string;
  /** Why a run's landscape is missing (the runner's warning). */
  note?: string;
  /** The 2-D grid under the paths (the zoomed window's once it arrived): the 3-D surface draws it. */
  grid?: Grid2d;
}

export const trajectoryCaptions: Record<TrajectoryMode, string> = {
  contour: 'loss contours over the domain, one path per run',
  curve: 'loss along the parameter (thin line), one path per run',
  slice2d: 'loss on a random 2-D slice through the initial point (filter-normalised directions, Li et al. 2018); ● the initial point',
  slice1d: 'loss along a random filter-normalised direction through the initial point (Li et al. 2018); ● the initial point',
  none: 'loss contours over the domain, one path per run',
};

type Visible = { run: RunSnapshot; ghost: boolean };


function is2d(grid: Landscape | undefined): grid is Landscape & Grid2d {
  return grid !== undefined && grid.ys !== undefined && (grid.kind === 'contour' || grid.kind === 'slice2d');
}

function range(xs: readonly number[]): [number, number] {
  return [xs[0], xs[xs.length - 1]];
}

/** `zoomedOf`: a run's grid over the zoomed window (landscapeRequests.ts), drawn over its own grid; the axes stay the run's. */
export function trajectoryView(
  runs: readonly Visible[], ctxOf: (run: RunSnapshot, ghost: boolean) => SeriesContext, theme: Theme,
  zoomedOf: (runId: string) => Landscape | undefined = () => undefined,
): TrajectoryView {
  const note = runs.map(({ run }) => run.landscapeWarning).find((w) => w !== undefined);
  const base = { bg: theme.bg, ...(note ? { note } : {}) };
  const byCount = (n: number) => runs.filter(({ run }) => run.meta?.paramCount === n);
  const withKind = (rs: readonly Visible[], kind: Landscape['kind']) => rs.find(({ run }) => run.landscape?.kind === kind)?.run;

  const plane = byCount(2);
  if (plane.length > 0) {
    const gridRun = withKind(plane, 'contour');
    const grid = gridRun?.landscape;
    const zoomed = gridRun ? zoomedOf(gridRun.runId) : undefined;
    const withDomain = plane.find(({ run }) => run.meta?.domain !== undefined)?.run;
    const names = withDomain?.meta?.paramNames ?? plane[0].run.meta?.paramNames ?? [];
    const domain = withDomain?.meta?.domain ?? (is2d(grid) ? [range(grid.xs), range(grid.ys)] : undefined);
    return {
      ...base, mode: 'contour', caption: trajectoryCaptions.contour, grid: is2d(zoomed) ? zoomed : is2d(grid) ? grid : undefined,
      series: plane.flatMap(({ run, ghost }) => pathSeries(run, ctxOf(run, ghost))),
      spec: {
        x: { type: 'linear', title: names[0] ?? 'x₀', min: domain?.[0][0], max: domain?.[0][1] },
        y: { type: 'linear', title: names[1] ?? 'x₁', min: domain?.[1][0], max: domain?.[1][1] },
        unsorted: true, background: is2d(grid) ? landscapeLayer(grid, theme, is2d(zoomed) ? zoomed : undefined) : undefined, bg: theme.bg,
      },
    };
  }

  const line = byCount(1);
  if (line.length > 0) {
    const curveRun = withKind(line, 'curve');
    const grid = curveRun?.landscape;
    const names = line[0].run.meta?.paramNames ?? [];
    const zoomed = curveRun ? zoomedOf(curveRun.runId) : undefined;
    const curve = grid ? [landscapeCurve(zoomed ?? grid, theme)] : [];
    return {
      ...base, mode: 'curve', caption: trajectoryCaptions.curve,
      series: [...curve, ...line.flatMap(({ run, ghost }) => pathSeries(run, ctxOf(run, ghost)))],
      spec: {
        x: { type: 'linear', title: names[0] ?? 'x', ...(grid ? { min: grid.xs[0], max: grid.xs[grid.xs.length - 1] } : {}) },
        y: { type: 'linear', title: 'loss' },
        unsorted: true, bg: theme.bg,
      },
    };
  }

  const slice = sliceView(runs, ctxOf, theme, base, zoomedOf);
  if (slice) return slice;
  return { ...base, mode: 'none', caption: trajectoryCaptions.none, series: [], spec: { x: { type: 'linear', title: 'x₀' }, y: { type: 'linear', title: 'x₁' }, unsorted: true, bg: theme.bg } };
}

/** A random slice through the first live run's initial point (runs of more than 2 parameters); undefined without one. */
function sliceView(runs: readonly Visible[], ctxOf: (run: RunSnapshot, ghost: boolean) => SeriesContext, theme: Theme,
  base: { readonly bg: Theme['bg']; readonly note?: string }, zoomedOf: (runId: string) => Landscape | undefined): TrajectoryView | undefined {
  const sliced = runs.filter(({ ghost }) => !ghost);
  const withKind = (kind: Landscape['kind']) => sliced.find(({ run }) => run.landscape?.kind === kind)?.run;
  const slice2 = withKind('slice2d');
  const slice1 = withKind('slice1d');
  const sliceRun = slice2 ?? slice1;
  const grid = sliceRun?.landscape;
  if (!sliceRun || !grid) return undefined;
  const colour = ctxOf(sliceRun, false).colour;
  const origin = (y: number): Series => staticSeries({
    key: `${sliceRun.runId}:x0`, runId: sliceRun.runId, ghost: false, label: 'initial point',
    style: { color: colour, width: 0, pointRadius: 4, showLine: false },
  }, () => [{ x: 0, y }]);
  const axes = grid.axes ?? [];
  if (is2d(grid)) {
    // A zoomed window's grid (the same plane, from the runner) is drawn over the run's own; the axes stay the run's.
    const zoomed = zoomedOf(sliceRun.runId);
    const inner = is2d(zoomed) ? zoomed : undefined;
    return {
      ...base, mode: 'slice2d', caption: trajectoryCaptions.slice2d, series: [origin(0)], grid: inner ?? grid,
      spec: {
        x: { type: 'linear', title: axes[0] ?? 'α', min: grid.xs[0], max: grid.xs[grid.xs.length - 1] },
        y: { type: 'linear', title: axes[1] ?? 'β', min: grid.ys[0], max: grid.ys[grid.ys.length - 1] },
        unsorted: true, background: landscapeLayer(grid, theme, inner), bg: theme.bg,
      },
    };
  }
  const centre = grid.xs.reduce((best, x, i) => (Math.abs(x) < Math.abs(grid.xs[best]) ? i : best), 0);
  // A zoomed window's line (the same direction, from the runner) replaces the run's own curve; the axes stay the run's.
  const zoomed = zoomedOf(sliceRun.runId);
  return {
    ...base, mode: 'slice1d', caption: trajectoryCaptions.slice1d,
    series: [landscapeCurve(zoomed?.kind === 'slice1d' ? zoomed : grid, theme), origin(grid.values[0][centre] ?? NaN)],
    spec: {
      x: { type: 'linear', title: axes[0] ?? 'α', min: grid.xs[0], max: grid.xs[grid.xs.length - 1] },
      y: { type: 'linear', title: 'loss' },
      unsorted: true, bg: theme.bg,
    },
  };
}

/** The loss along a 1-D landscape, as a thin muted line. */
function landscapeCurve(grid: Landscape, theme: Theme): Series {
  const points = (): Point[] => grid.xs.map((x, i) => ({ x, y: grid.values[0][i] ?? NaN }));
  return staticSeries({ key: 'landscape:curve', runId: '', ghost: false, label: 'loss', style: { color: withAlpha(theme.muted, 0.8), width: 1 } }, points);
}
