/**
 * Which lines each chart draws for a run, and how each record maps to a point.
 * Ghost runs (the previous code version) are drawn faded and dashed.
 */
import type { RunSnapshot } from '../../src/protocol/webview';
import type { Theme } from '../theme';
import { withAlpha } from '../theme';
import type { UiState } from '../uiState';
import { curvatureSeries, ema, logSampler, type Point, positive, type Series, type SeriesStyle, staticSeries, stepSeries } from './series';
import { xOfStep } from './xAxis';

/** What a run's label must say to tell it from the other runs on screen. */
export interface LabelScope {
  /** Runs of several objectives are shown: labels name the objective. */
  namesObjective?: boolean;
  /** Another run on screen would have the same label and another seed: this one names its seed. */
  namesSeed?: boolean;
}

export interface SeriesContext extends LabelScope {
  ui: UiState;
  theme: Theme;
  colour: string;
  ghost: boolean;
  /** The loss axis is logarithmic (absent: as the view setting says). */
  logLoss?: boolean;
}

/** "adam lr=0.02", "rosenbrock · adam lr=0.02" when several objectives are on screen, "adam lr=0.02 seed 3" when only the seed tells it apart. */
export function runLabel(run: RunSnapshot, scope: LabelScope = {}): string {
  const m = run.meta;
  if (!m) return run.runId;
  const what = `${m.optimizer.id} lr=${formatNumber(m.optimizer.lr)}${m.schedule ? ` ${m.schedule}` : ''}${scope.namesSeed ? ` seed ${m.seed}` : ''}`;
  return scope.namesObjective ? `${m.objective} · ${what}` : what;
}

/** What `run`'s label needs among `onScreen` (the table's runs and ghosts): the seed only where another run would share its label. */
export function labelScope(run: RunSnapshot, onScreen: readonly RunSnapshot[]): LabelScope {
  const namesObjective = severalObjectives(onScreen);
  const seed = run.meta?.seed;
  if (seed === undefined) return { namesObjective };
  const plain = runLabel(run, { namesObjective });
  const twin = onScreen.some((other) => other.meta !== undefined && other.meta.seed !== seed && runLabel(other, { namesObjective }) === plain);
  return { namesObjective, namesSeed: twin };
}

/** True when the runs belong to more than one objective (labels must say which). */
export function severalObjectives(runs: Iterable<RunSnapshot>): boolean {
  const names = new Set<string>();
  for (const r of runs) if (r.meta) names.add(`${r.file ?? ''}#${r.meta.objective}`);
  return names.size > 1;
}

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(2) : String(Number(v.toPrecision(4)));
}

function style(ctx: SeriesContext, extra: Partial<SeriesStyle> = {}): SeriesStyle {
  const width = ctx.theme.highContrast ? 2.5 : 1.5;
  return {
    // Faded ghosts stay visible on a high-contrast black background.
    color: ctx.ghost ? withAlpha(ctx.colour, ctx.theme.highContrast ? 0.6 : 0.35) : ctx.colour,
    width: ctx.ghost ? 1 : width,
    ...extra,
    dash: ctx.ghost ? [4, 3] : extra.dash,
  };
}

function head(run: RunSnapshot, ctx: SeriesContext, name: string, label: string, extra?: Partial<SeriesStyle>) {
  const ghostMark = ctx.ghost ? ' (previous version)' : '';
  return { key: `${run.runId}:${name}${ctx.ghost ? ':ghost' : ''}`, runId: run.runId, ghost: ctx.ghost, label: `${label}${ghostMark}`, style: style(ctx, extra) };
}

/** The loss (or f − f*) as plotted, with smoothing and the log-log sampling. */
export function lossSeries(run: RunSnapshot, ctx: SeriesContext): Series[] {
  const { ui } = ctx;
  const minimum = ui.suboptimality ? run.meta?.minimum : undefined;
  const smooth = ema(ui.smoothing);
  const keep = ui.logLog ? logSampler(200) : () => true;
  const logY = ctx.logLoss ?? (ui.lossScale === 'log' || ui.logLog);
  const series = stepSeries(head(run, ctx, 'loss', runLabel(run, ctx)), run, (s) => {
    const x = ui.logLog ? xOfStep(s, ui.xAxis) + (ui.xAxis === 'steps' ? 1 : 0) : xOfStep(s, ui.xAxis);
    const raw = s.loss - (minimum ?? 0);
    const y = smooth(raw);
    if (!keep(x)) return null;
    return { x, y: logY ? positive(y) : y };
  });
  return [series];
}

export function gradientSeries(run: RunSnapshot, ctx: SeriesContext): Series[] {
  const x = (s: Parameters<typeof xOfStep>[0]) => xOfStep(s, ctx.ui.xAxis);
  return [
    stepSeries(head(run, ctx, 'grad', `‖g‖ ${runLabel(run, ctx)}`), run, (s) => ({ x: x(s), y: positive(s.gradNorm) })),
    stepSeries(head(run, ctx, 'update', `‖Δx‖ ${runLabel(run, ctx)}`, { dash: [6, 3] }), run, (s) => ({ x: x(s), y: positive(s.updateNorm) })),
  ];
}

/** Schedule preview (dotted, known before the run), realised lr, and the 2/λmax edge. */
export function lrSeries(run: RunSnapshot, ctx: SeriesContext): Series[] {
  const preview = run.meta?.schedulePreview ?? [];
  return [
    staticSeries(head(run, ctx, 'preview', `schedule ${runLabel(run, ctx)}`, { dash: [2, 3], width: 1 }), () =>
      preview.map((lr, i) => ({ x: i, y: positive(lr) }))),
    stepSeries(head(run, ctx, 'lr', `lr ${runLabel(run, ctx)}`), run, (s) => ({ x: s.step, y: positive(s.lr) })),
    curvatureSeries(head(run, ctx, 'edge', `2/λmax ${runLabel(run, ctx)}`, { pointRadius: 2, showLine: false }), run, (c) => {
      const edge = c.stabilityEdge ?? (c.lambdaMax > 0 ? 2 / c.lambdaMax : NaN);
      return { x: c.step, y: positive(edge) };
    }),
  ];
}

/** λmax with its residual band, |λmin| (triangles where negative) and κ. */
export function curvatureSeriesOf(run: RunSnapshot, ctx: SeriesContext): Series[] {
  const band = withAlpha(ctx.colour, ctx.ghost ? 0.08 : 0.18);
  const bandStyle = { color: band, width: 0, pointRadius: 0 };
  return [
    curvatureSeries(head(run, ctx, 'bandLow', `λmax − residual ${runLabel(run, ctx)}`, bandStyle), run, (c) =>
      ({ x: c.step, y: positive(Math.max(c.lambdaMax - c.residualMax, c.lambdaMax * 1e-3)) })),
    curvatureSeries(head(run, ctx, 'bandHigh', `λmax + residual ${runLabel(run, ctx)}`, { ...bandStyle, fillPrevious: true }), run, (c) =>
      ({ x: c.step, y: positive(c.lambdaMax + c.residualMax) })),
    curvatureSeries(head(run, ctx, 'lmax', `λmax ${runLabel(run, ctx)}`, { pointRadius: 2 }), run, (c) =>
      ({ x: c.step, y: positive(Math.abs(c.lambdaMax)), neg: c.lambdaMax < 0 })),
    curvatureSeries(head(run, ctx, 'lmin', `|λmin| ${runLabel(run, ctx)}`, { pointRadius: 3, dash: [6, 3] }), run, (c) =>
      ({ x: c.step, y: positive(Math.abs(c.lambdaMin)), neg: c.lambdaMin < 0 })),
    curvatureSeries(head(run, ctx, 'kappa', `κ ${runLabel(run, ctx)}`, { pointRadius: 2, dash: [1, 3] }), run, (c) =>
      ({ x: c.step, y: c.condition === null ? NaN : positive(c.condition) })),
  ];
}

/**
 * The optimisation path, thinned to a few thousand points: in parameter space
 * for 2-parameter objectives, as (x, loss) over the loss curve for 1-parameter ones.
 */
export function pathSeries(run: RunSnapshot, ctx: SeriesContext): Series[] {
  const dims = run.meta?.paramCount;
  const at = (p: readonly number[] | undefined, loss: number): Point | null => {
    if (!p || p.length !== dims) return null;
    return dims === 2 ? { x: p[0], y: p[1] } : dims === 1 ? { x: p[0], y: loss } : null;
  };
  const s = stepSeries(head(run, ctx, 'path', runLabel(run, ctx), { pointRadius: 0 }), run, (r) => at(r.params, r.loss));
  const initial = (): Point | null => (dims === 2 ? at(run.meta?.initialParams, NaN) : null);
  let seeded = false;
  let stride = 1;
  let seen = 0;
  let finished = false;
  const inner = s.pull.bind(s);
  const thinned: Series = {
    ...s,
    rewrites: true,
    pull() {
      const init = initial();
      if (!seeded && init) {
        s.points.push(init);
        seeded = true;
      }
      const before = s.points.length;
      let grew = inner();
      const final = run.done ? at(run.done.final.params, run.done.final.loss) : null;
      if (final && !finished) {
        s.points.push(final);
        finished = grew = true;
      }
      // Keep every stride-th new point; double the stride when the path gets long.
      const fresh = s.points.splice(before);
      for (const p of fresh) if (seen++ % stride === 0) s.points.push(p);
      if (s.points.length > 4000) {
        const kept = s.points.filter((_, i) => i % 2 === 0);
        s.points.length = 0;
        s.points.push(...kept);
        stride *= 2;
      }
      return grew;
    },
  };
  return [thinned];
}
