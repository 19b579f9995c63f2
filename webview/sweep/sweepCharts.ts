/**
 * Chart.js configurations of the Sweep card: the sensitivity chart (final loss against lr, log x, log y when
 * every plotted loss is positive; diverged runs as crosses above the curves) and the chosen run's
 * thinned loss curve. Ticks come from charts/axisTicks.ts like the dashboard's other charts.
 */
import type { ChartConfiguration, ChartDataset, ChartOptions, ScaleType } from 'chart.js';
import type { SweepRun } from '../../src/protocol/sweep';
import { formatTick, placeTicks } from '../charts/axisTicks';
import { withAlpha, type Theme } from '../theme';
import { isBrushed } from './brush';
import type { SensitivityCurve } from './sweepModel';

/** A plotted point that knows its run (index in result.runs). */
export interface RunPoint {
  x: number;
  y: number;
  run: number;
}

export type SweepDataset = ChartDataset<'line', RunPoint[]> & { curve: number; marks: boolean };

/** A Chart.js axis in the dashboard's style (shared with brushedLosses.ts). */
export function axis(theme: Theme, type: 'linear' | 'logarithmic', title: string) {
  return {
    type: type as ScaleType,
    title: { display: true, text: title, color: theme.muted, font: { family: theme.font, size: 11 } },
    ticks: { color: theme.muted, font: { family: theme.font, size: 10 }, maxRotation: 0, ...(type === 'logarithmic' ? { callback: formatTick } : {}) },
    grid: { color: theme.grid },
    border: { color: theme.grid },
    afterBuildTicks: placeTicks,
  };
}

export function baseOptions(theme: Theme, x: ReturnType<typeof axis>, y: ReturnType<typeof axis>) {
  return {
    animation: false as const,
    responsive: true,
    maintainAspectRatio: false,
    color: theme.fg,
    font: { family: theme.font },
    scales: { x, y } as ChartOptions<'line'>['scales'],
    plugins: {
      legend: { display: false },
      tooltip: { enabled: true, backgroundColor: theme.bg, titleColor: theme.fg, bodyColor: theme.fg, borderColor: theme.grid, borderWidth: 1 },
    },
  };
}

/**
 * One line per curve through its plotted losses, and one dataset of crosses per curve (its diverged runs) at `markY(curve)`.
 * `selection`: the runs in the parallel coordinates' brush (brush.ts); the others' points fade.
 */
export function sensitivityDatasets(
  curves: readonly SensitivityCurve[], theme: Theme, markY: (curve: number) => number, selected?: number, selection?: ReadonlySet<number>,
): SweepDataset[] {
  const radius = (points: RunPoint[], size: number) => points.map((p) => (p.run === selected ? size + 3 : size));
  const fade = (points: RunPoint[], colour: string) => points.map((p) => (isBrushed(selection, p.run) ? colour : withAlpha(colour, 0.15)));
  return curves.flatMap((curve, i) => {
    const colour = theme.palette[i % theme.palette.length];
    const finite = curve.points.filter((p) => p.loss !== null).map((p) => ({ x: p.lr, y: p.loss as number, run: p.run }));
    const marks = curve.points.filter((p) => p.loss === null).map((p) => ({ x: p.lr, y: markY(i), run: p.run }));
    const name = curve.label || 'final loss';
    return [
      {
        label: name, data: finite, curve: i, marks: false, showLine: curve.connect, borderColor: selection ? withAlpha(colour, 0.35) : colour, backgroundColor: colour,
        pointBackgroundColor: fade(finite, colour), pointBorderColor: fade(finite, colour), borderWidth: 1.5, pointRadius: radius(finite, 3), pointHoverRadius: 6, tension: 0,
      },
      {
        // Not clipped: a cross at the largest lr sits on the plot's edge.
        label: `${name} · diverged`, data: marks, curve: i, marks: true, showLine: false, clip: false, borderColor: colour, backgroundColor: colour,
        pointBorderColor: fade(marks, colour), borderWidth: 2.5, pointStyle: 'crossRot', pointRadius: radius(marks, 8), pointHoverRadius: 10,
      },
    ] as SweepDataset[];
  });
}

export function sensitivityConfig(datasets: SweepDataset[], theme: Theme, logLoss: boolean, onPick: (run: number) => void): ChartConfiguration<'line', RunPoint[]> {
  const options = baseOptions(theme, axis(theme, 'logarithmic', 'lr'), axis(theme, logLoss ? 'logarithmic' : 'linear', 'final loss'));
  return {
    type: 'line',
    data: { datasets },
    options: {
      ...options,
      interaction: { mode: 'nearest', intersect: true },
      layout: { padding: { top: 12, right: 12 } },
      onClick: (_event, elements, chart) => {
        const hit = elements[0];
        const point = hit ? (chart.data.datasets[hit.datasetIndex].data[hit.index] as RunPoint | undefined) : undefined;
        if (point) onPick(point.run);
      },
      plugins: {
        ...options.plugins,
        tooltip: {
          ...options.plugins.tooltip,
          callbacks: { label: (item) => `${item.dataset.label}: lr ${formatTick(item.parsed.x ?? NaN)}${(item.dataset as SweepDataset).marks ? '' : `, loss ${formatTick(item.parsed.y ?? NaN)}`}` },
        },
      },
    },
  };
}

/** The run's thinned losses (non-finite ones left out: the card says where the run stopped). */
export function runLossConfig(run: SweepRun, theme: Theme, colour: string): ChartConfiguration<'line', { x: number; y: number }[]> {
  const points = run.steps.filter((s) => s.loss !== null && Number.isFinite(s.loss)).map((s) => ({ x: s.step, y: s.loss as number }));
  const log = points.length > 0 && points.every((p) => p.y > 0);
  const steps = axis(theme, 'linear', 'step');
  // Steps are whole numbers: no 0.5 ticks on a short run.
  const stepAxis = { ...steps, ticks: { ...steps.ticks, precision: 0 } };
  return {
    type: 'line',
    data: { datasets: [{ label: 'loss', data: points, borderColor: colour, backgroundColor: colour, borderWidth: 1.5, pointRadius: 0, tension: 0 }] },
    options: { ...baseOptions(theme, stepAxis, axis(theme, log ? 'logarithmic' : 'linear', 'loss')), interaction: { mode: 'nearest', intersect: false } },
  };
}
