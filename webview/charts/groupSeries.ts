/**
 * A "repeat with N seeds" group on the loss chart: the mean over its members
 * at each step, with the min–max range as a shaded band (min–max rather than
 * ±1 std: with 3–10 seeds it shows every seed's spread and never dips below
 * zero on a log axis). A step is drawn once every member still running has
 * reached it; members that stopped (done, diverged) drop out of later steps.
 */
import type { RunSnapshot } from '../../src/protocol/webview';
import { withAlpha } from '../theme';
import type { SeriesContext } from './buildSeries';
import { ema, logSampler, type Point, positive, type Series } from './series';
import { xOfStep } from './xAxis';

export interface GroupStats {
  /** Steps folded so far. */
  readonly count: number;
  readonly lo: readonly Point[];
  readonly mean: readonly Point[];
  readonly hi: readonly Point[];
  /** Folds the steps every member has reached; true when it added any. */
  advance(): boolean;
}

/** Per-step min, mean and max of the members' loss (or f − f*), as plotted. */
export function groupStats(members: readonly RunSnapshot[], ctx: SeriesContext): GroupStats {
  const { ui } = ctx;
  const logY = ctx.logLoss ?? (ui.lossScale === 'log' || ui.logLog);
  const keep = ui.logLog ? logSampler(200) : () => true;
  const smooth = { lo: ema(ui.smoothing), mean: ema(ui.smoothing), hi: ema(ui.smoothing) };
  const lo: Point[] = [], mean: Point[] = [], hi: Point[] = [];
  let cursor = 0;
  const finished = (r: RunSnapshot) => r.done !== undefined || r.error !== undefined;
  return {
    get count() { return cursor; },
    lo, mean, hi,
    advance() {
      const ready = Math.min(...members.map((r) => (finished(r) ? Infinity : r.steps.length)));
      const end = Math.min(ready, Math.max(...members.map((r) => r.steps.length)));
      const start = cursor;
      for (; cursor < end; cursor++) {
        let sum = 0, n = 0, min = Infinity, max = -Infinity, xs = 0;
        for (const r of members) {
          const s = r.steps[cursor];
          if (!s) continue;
          const v = s.loss - (ui.suboptimality ? r.meta?.minimum ?? 0 : 0);
          if (!Number.isFinite(v)) continue;
          sum += v; n++; xs += xOfStep(s, ui.xAxis);
          if (v < min) min = v;
          if (v > max) max = v;
        }
        if (n === 0) continue;
        const x = xs / n + (ui.logLog && ui.xAxis === 'steps' ? 1 : 0);
        const [l, m, h] = [smooth.lo(min), smooth.mean(sum / n), smooth.hi(max)];
        if (!keep(x)) continue;
        const y = (v: number) => (logY ? positive(v) : v);
        lo.push({ x, y: y(l) });
        mean.push({ x, y: y(m) });
        hi.push({ x, y: y(h) });
      }
      return cursor > start;
    },
  };
}

/** Band low, band high (filled down to low) and the mean line, keyed by the group id. */
export function groupLossSeries(group: string, members: readonly RunSnapshot[], ctx: SeriesContext, label: string): Series[] {
  const stats = groupStats(members, ctx);
  const band = { color: withAlpha(ctx.colour, ctx.theme.highContrast ? 0.3 : 0.2), width: 0 };
  const part = (name: string, text: string, source: readonly Point[], style: Series['style']): Series => {
    const points: Point[] = [];
    return {
      key: `${group}:${name}`, runId: group, ghost: false, label: text, style, points,
      pull() {
        stats.advance();
        const before = points.length;
        for (let i = before; i < source.length; i++) points.push(source[i]);
        return points.length > before;
      },
    };
  };
  const width = ctx.theme.highContrast ? 3 : 2;
  const n = members.length;
  return [
    part('bandLow', `${label} min of ${n} seeds`, stats.lo, band),
    part('bandHigh', `${label} max of ${n} seeds`, stats.hi, { ...band, fillPrevious: true }),
    part('mean', `${label} mean of ${n} seeds`, stats.mean, { color: ctx.colour, width }),
  ];
}
