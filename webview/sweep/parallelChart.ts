/**
 * Chart.js configuration of the Sweep card's parallel coordinates (model: parallelModel.ts). x is the axis
 * index, y the position 0..1 on it; Chart.js's own scales are hidden and a small plugin draws each axis
 * with its name and the ticks the model placed (charts/axisTicks.ts), and the 'diverged' band's label.
 */
import type { Chart, ChartConfiguration, ChartDataset, Plugin } from 'chart.js';
import type { Theme } from '../theme';
import { withAlpha } from '../theme';
import { isBrushed, type Brushes } from './brush';
import { DIVERGED_Y, type ParallelLine, type ParallelModel } from './parallelModel';

export type ParallelDataset = ChartDataset<'line', { x: number; y: number }[]> & { run: number; diverged: boolean };

/** Half the width of a brush's box on its axis. */
const BRUSH_HALF_PX = 7;

/** What the brush and the chosen run do to a line: outside the brush it fades to a thin grey. */
function lineStyle(line: ParallelLine, theme: Theme, selected: number | undefined, selection: ReadonlySet<number> | undefined) {
  const inside = isBrushed(selection, line.run);
  const colour = line.diverged ? withAlpha(theme.muted, 0.8) : (line.colour as string);
  return { borderColor: inside ? colour : withAlpha(theme.muted, 0.18), borderWidth: line.run === selected ? 3.5 : inside ? 1.5 : 1 };
}

/** Restyles the drawn lines for a new brush, in place (a drag redraws on every move). */
export function restyleParallel(chart: Chart<'line'>, model: ParallelModel, theme: Theme, selected: number | undefined, selection: ReadonlySet<number> | undefined): void {
  chart.data.datasets.forEach((dataset, i) => Object.assign(dataset, lineStyle(model.lines[i], theme, selected, selection)));
  chart.update('none');
}

function drawBrushes(chart: Chart<'line'>, brushes: Brushes, theme: Theme): void {
  const { ctx, scales } = chart;
  ctx.save();
  for (const [axis, [lo, hi]] of brushes) {
    const px = scales.x.getPixelForValue(axis);
    const top = scales.y.getPixelForValue(hi);
    const bottom = scales.y.getPixelForValue(lo);
    ctx.fillStyle = withAlpha(theme.fg, 0.14);
    ctx.fillRect(px - BRUSH_HALF_PX, top, 2 * BRUSH_HALF_PX, bottom - top);
    ctx.strokeStyle = theme.fg;
    ctx.lineWidth = 1;
    ctx.strokeRect(px - BRUSH_HALF_PX, top, 2 * BRUSH_HALF_PX, bottom - top);
  }
  ctx.restore();
}

function axesPlugin(model: ParallelModel, theme: Theme, brushes: () => Brushes): Plugin<'line'> {
  return {
    id: 'parallelAxes',
    beforeDatasetsDraw(chart) {
      // A halo in the text colour: viridis's dark end (the best runs) would vanish on a dark theme, its yellow on a light one.
      chart.ctx.save();
      chart.ctx.shadowColor = withAlpha(theme.fg, 0.75);
      chart.ctx.shadowBlur = 2.5;
    },
    afterDatasetsDraw(chart) {
      chart.ctx.restore();
      // Axes and their labels over the lines, so crowded lines do not hide the values.
      const { ctx, scales } = chart;
      const x = scales.x;
      const y = scales.y;
      ctx.save();
      ctx.font = `10px ${theme.font}`;
      model.axes.forEach((axis, i) => {
        const px = x.getPixelForValue(i);
        ctx.strokeStyle = theme.muted;
        ctx.lineWidth = 1;
        ctx.beginPath();
        ctx.moveTo(px, y.getPixelForValue(0));
        ctx.lineTo(px, y.getPixelForValue(1));
        ctx.stroke();
        ctx.fillStyle = theme.fg;
        ctx.textAlign = i === 0 ? 'left' : i === model.axes.length - 1 ? 'right' : 'center';
        ctx.fillText(axis.name, px, y.getPixelForValue(0) + 16);
        ctx.textAlign = 'left';
        ctx.lineJoin = 'round';
        for (const tick of axis.ticks) {
          const py = y.getPixelForValue(tick.y);
          ctx.fillStyle = theme.muted;
          ctx.fillRect(px - 3, py, 6, 1);
          // Outlined in the background colour: readable over the lines.
          ctx.strokeStyle = theme.bg;
          ctx.lineWidth = 3;
          ctx.strokeText(tick.label, px + 5, py + 3);
          ctx.fillStyle = theme.fg;
          ctx.fillText(tick.label, px + 5, py + 3);
        }
      });
      const last = x.getPixelForValue(model.axes.length - 1);
      ctx.fillStyle = theme.muted;
      ctx.textAlign = 'right';
      ctx.fillText('diverged', last - 6, y.getPixelForValue(DIVERGED_Y) + 3);
      ctx.restore();
      drawBrushes(chart, brushes(), theme);
    },
  };
}

/** `brushes`: read at every draw; `selection`: the runs inside them (brush.ts), undefined when none. */
export function parallelConfig(
  model: ParallelModel, theme: Theme, selected?: number, brushes: () => Brushes = () => new Map(), selection?: ReadonlySet<number>,
): ChartConfiguration<'line', { x: number; y: number }[]> {
  const datasets: ParallelDataset[] = model.lines.map((line) => ({
    run: line.run,
    diverged: line.diverged,
    label: `run ${line.run}`,
    data: line.ys.map((y, i) => ({ x: i, y })),
    ...lineStyle(line, theme, selected, selection),
    borderDash: line.diverged ? [4, 3] : [],
    pointRadius: line.diverged ? line.ys.map((_, i) => (i === line.ys.length - 1 ? 4 : 0)) : 0,
    pointStyle: 'crossRot',
    pointBorderColor: withAlpha(theme.muted, 0.9),
    tension: 0,
  }));
  const last = model.axes.length - 1;
  return {
    type: 'line',
    data: { datasets },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      layout: { padding: { left: 8, right: 40, top: 8, bottom: 22 } },
      scales: {
        x: { type: 'linear', display: false, min: 0, max: Math.max(last, 1) },
        y: { type: 'linear', display: false, min: -0.03, max: DIVERGED_Y + 0.05 },
      },
      plugins: { legend: { display: false }, tooltip: { enabled: false } },
      events: [],
    },
    plugins: [axesPlugin(model, theme, brushes)],
  };
}
