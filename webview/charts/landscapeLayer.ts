/**
 * Draws a loss landscape (shaded by log value, with contour lines) under the trajectory chart; with `zoomed`,
 * that finer grid over a zoomed window replaces `grid` inside its box.
 */
import type { Chart } from 'chart.js';
import type { Theme } from '../theme';
import { withAlpha } from '../theme';
import { contourLevels, contourSegments, type Grid2d, type Segment } from './contour';

export function landscapeLayer(grid: Grid2d, theme: Theme, zoomed?: Grid2d): (chart: Chart) => void {
  const outer = gridLayer(grid, theme);
  if (!zoomed) return outer;
  const inner = gridLayer(zoomed, theme);
  return (chart) => {
    const { ctx, scales } = chart;
    const [x0, x1] = [zoomed.xs[0], zoomed.xs[zoomed.xs.length - 1]].map((v) => scales.x.getPixelForValue(v));
    const [y0, y1] = [zoomed.ys[0], zoomed.ys[zoomed.ys.length - 1]].map((v) => scales.y.getPixelForValue(v));
    ctx.save();
    // The outer grid everywhere but the zoomed box (even-odd: the canvas minus the box).
    ctx.beginPath();
    ctx.rect(0, 0, chart.width, chart.height);
    ctx.rect(Math.min(x0, x1), Math.min(y0, y1), Math.abs(x1 - x0), Math.abs(y1 - y0));
    ctx.clip('evenodd');
    outer(chart);
    ctx.restore();
    inner(chart);
  };
}

function gridLayer(grid: Grid2d, theme: Theme): (chart: Chart) => void {
  const levels = contourLevels(grid, 14);
  const lines: Segment[][] = levels.map((l) => contourSegments(grid, l));
  const shade = shadeImage(grid, theme);
  return (chart) => {
    const { ctx, chartArea, scales } = chart;
    const px = (x: number) => scales.x.getPixelForValue(x);
    const py = (y: number) => scales.y.getPixelForValue(y);
    ctx.save();
    ctx.beginPath();
    ctx.rect(chartArea.left, chartArea.top, chartArea.right - chartArea.left, chartArea.bottom - chartArea.top);
    ctx.clip();
    if (shade) {
      const x0 = px(grid.xs[0]), x1 = px(grid.xs[grid.xs.length - 1]);
      const y0 = py(grid.ys[0]), y1 = py(grid.ys[grid.ys.length - 1]);
      ctx.imageSmoothingEnabled = true;
      ctx.save();
      // Row 0 of the image is ys[0], which is the bottom of the plot: flip vertically.
      ctx.translate(0, y0);
      ctx.scale(1, -1);
      ctx.drawImage(shade, x0, 0, x1 - x0, y0 - y1);
      ctx.restore();
    }
    ctx.lineWidth = 1;
    lines.forEach((segments, k) => {
      ctx.strokeStyle = withAlpha(theme.muted, 0.25 + (0.45 * (levels.length - k)) / levels.length);
      ctx.beginPath();
      for (const [ax, ay, bx, by] of segments) {
        ctx.moveTo(px(ax), py(ay));
        ctx.lineTo(px(bx), py(by));
      }
      ctx.stroke();
    });
    ctx.restore();
  };
}

/** One pixel per grid point, darker where the loss is lower (log scale). */
function shadeImage(grid: Grid2d, theme: Theme): HTMLCanvasElement | undefined {
  const w = grid.xs.length, h = grid.ys.length;
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  const c = canvas.getContext('2d');
  if (!c) return undefined;
  let lo = Infinity, hi = -Infinity;
  for (const row of grid.values) for (const v of row) if (v !== null && Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (!(hi > lo)) return undefined;
  const img = c.createImageData(w, h);
  const [r, g, b] = rgbOf(theme.palette[0]);
  const span = Math.log1p(hi - lo);
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      const v = grid.values[j][i];
      const t = v === null || !Number.isFinite(v) ? 1 : Math.log1p(v - lo) / span;
      const k = 4 * (j * w + i);
      img.data[k] = r; img.data[k + 1] = g; img.data[k + 2] = b;
      img.data[k + 3] = Math.round(110 * (1 - t) ** 1.5);
    }
  }
  c.putImageData(img, 0, 0);
  return canvas;
}

function rgbOf(color: string): [number, number, number] {
  const m = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(withAlpha(color, 1));
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [80, 120, 200];
}
