/**
 * The LR finder card's chart model and Chart.js configuration: each update's loss (faint points) and the
 * smoothed loss (the line fastai plots) against the lr on a log axis, and one vertical line per suggested lr
 * (the steepest descent of the smoothed loss, the lowest smoothed loss / 10). Ticks from charts/axisTicks.ts.
 */
import type { ChartConfiguration, ChartDataset, ChartOptions, ScaleType } from 'chart.js';
import type { LrFinderView } from '../../src/protocol/lrFinder';
import { formatTick, placeTicks } from '../charts/axisTicks';
import type { Theme } from '../theme';
import { withAlpha } from '../theme';

export interface XY {
  x: number;
  y: number;
}

export type SuggestionKind = 'steepest' | 'minimumOverTen';

export const SUGGESTION_LABELS: Record<SuggestionKind, string> = {
  steepest: 'steepest descent',
  minimumOverTen: 'minimum / 10',
};

/** What the chart draws, as plain data (the tests read it). */
export interface LrFinderModel {
  loss: XY[];
  smoothed: XY[];
  /** A vertical segment per suggestion, from the bottom to the top of the loss axis. */
  suggestions: { kind: SuggestionKind; lr: number; segment: XY[] }[];
  logLoss: boolean;
  yMin: number;
  yMax: number;
}

/**
 * The loss axis spans the smoothed curve and the raw losses up to the smoothed maximum: the blow-up that
 * ends the test (a raw loss 1e30) would flatten everything else, so raw points above it are clipped.
 */
export function lrFinderModel(view: LrFinderView): LrFinderModel {
  const finite = view.points.filter((p) => Number.isFinite(p.loss) && Number.isFinite(p.smoothed));
  const loss = finite.map((p) => ({ x: p.lr, y: p.loss }));
  const smoothed = finite.map((p) => ({ x: p.lr, y: p.smoothed }));
  const logLoss = finite.length > 0 && finite.every((p) => p.loss > 0 && p.smoothed > 0);
  const top = Math.max(...smoothed.map((p) => p.y));
  const bottom = Math.min(...loss.map((p) => p.y), ...smoothed.map((p) => p.y));
  const pad = (v: number, up: boolean): number => (logLoss ? (up ? v * 1.5 : v / 1.5) : v + (up ? 1 : -1) * 0.05 * Math.max(top - bottom, Math.abs(v), 1e-12));
  const yMin = finite.length > 0 ? pad(bottom, false) : 0;
  const yMax = finite.length > 0 ? pad(top, true) : 1;
  const suggestions = (Object.keys(SUGGESTION_LABELS) as SuggestionKind[]).flatMap((kind) => {
    const lr = view.suggestions?.[kind];
    return lr === undefined ? [] : [{ kind, lr, segment: [{ x: lr, y: yMin }, { x: lr, y: yMax }] }];
  });
  return { loss, smoothed, suggestions, logLoss, yMin, yMax };
}

function axis(theme: Theme, type: 'linear' | 'logarithmic', title: string, bounds: { min?: number; max?: number } = {}) {
  return {
    type: type as ScaleType,
    ...bounds,
    title: { display: true, text: title, color: theme.muted, font: { family: theme.font, size: 11 } },
    ticks: { color: theme.muted, font: { family: theme.font, size: 10 }, maxRotation: 0, ...(type === 'logarithmic' ? { callback: formatTick } : {}) },
    grid: { color: theme.grid },
    border: { color: theme.grid },
    afterBuildTicks: placeTicks,
  };
}

/** The colour of a suggestion's line (and of its key beside the buttons). */
export function suggestionColour(kind: SuggestionKind, theme: Theme): string {
  return theme.palette[(kind === 'steepest' ? 1 : 2) % theme.palette.length];
}

export type LrFinderDataset = ChartDataset<'line', XY[]> & { role: 'loss' | 'smoothed' | SuggestionKind };

export function lrFinderConfig(model: LrFinderModel, view: LrFinderView, theme: Theme): ChartConfiguration<'line', XY[]> {
  const colour = theme.palette[0];
  const datasets: LrFinderDataset[] = [
    { role: 'loss', label: 'loss', data: model.loss, showLine: false, pointRadius: 1.5, borderColor: withAlpha(colour, 0.45), backgroundColor: withAlpha(colour, 0.45) },
    { role: 'smoothed', label: 'smoothed loss', data: model.smoothed, borderColor: colour, backgroundColor: colour, borderWidth: 2, pointRadius: 0, tension: 0 },
    ...model.suggestions.map((s): LrFinderDataset => ({
      role: s.kind, label: `${SUGGESTION_LABELS[s.kind]}: lr ${formatTick(Number(s.lr.toPrecision(3)))}`, data: s.segment,
      borderColor: suggestionColour(s.kind, theme), backgroundColor: suggestionColour(s.kind, theme), borderWidth: 1.5, borderDash: s.kind === 'steepest' ? [] : [5, 4], pointRadius: 0,
    })),
  ];
  const range = view.range;
  return {
    type: 'line',
    data: { datasets },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      color: theme.fg,
      font: { family: theme.font },
      scales: {
        x: axis(theme, 'logarithmic', 'learning rate', range ? { min: range.from, max: range.to } : {}),
        y: axis(theme, model.logLoss ? 'logarithmic' : 'linear', 'loss', { min: model.yMin, max: model.yMax }),
      } as ChartOptions<'line'>['scales'],
      interaction: { mode: 'nearest', intersect: false },
      plugins: {
        legend: { display: false },
        tooltip: {
          enabled: true, backgroundColor: theme.bg, titleColor: theme.fg, bodyColor: theme.fg, borderColor: theme.grid, borderWidth: 1,
          callbacks: { label: (item) => `${item.dataset.label}: lr ${formatTick(item.parsed.x ?? NaN)}, ${formatTick(item.parsed.y ?? NaN)}` },
        },
      },
    },
  };
}
