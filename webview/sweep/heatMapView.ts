/**
 * The Sweep card's heat map: lr on x (ascending), the other hyperparameter on y, each cell coloured by its
 * final loss (log colour scale when every loss is positive), with a colour bar. A cell with a diverged run is
 * crossed; one where every run diverged is grey and crossed. Drawn on a plain canvas (a grid of rectangles).
 */
import { formatNumber } from '../charts/buildSeries';
import { withAlpha, type Theme } from '../theme';
import type { HeatCell, HeatMap } from './sweepModel';

/** Viridis at five stops: dark purple the lowest loss, yellow the highest (the colour bar says so). */
const STOPS: [number, number, number][] = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];

export function colourAt(t: number): string {
  const x = Math.min(Math.max(t, 0), 1) * (STOPS.length - 1);
  const i = Math.min(Math.floor(x), STOPS.length - 2);
  const f = x - i;
  const [r, g, b] = STOPS[i].map((v, k) => Math.round(v + (STOPS[i + 1][k] - v) * f));
  return `rgb(${r}, ${g}, ${b})`;
}

const MARGIN = { left: 70, right: 90, top: 10, bottom: 34 };

export interface HeatMapLayout {
  cellAt(x: number, y: number): HeatCell | undefined;
  /** Centre of a cell in CSS pixels (tests click there). */
  centre(cell: HeatCell): { x: number; y: number };
}

/** Maps a loss to [0, 1] over the finite losses' range (log when all positive). */
function scaleOf(cells: readonly HeatCell[]): { t: (loss: number) => number; lo: number; hi: number } {
  const losses = cells.map((c) => c.loss).filter((l): l is number => l !== null);
  const log = losses.length > 0 && losses.every((l) => l > 0);
  const f = (l: number) => (log ? Math.log10(l) : l);
  const lo = losses.length > 0 ? Math.min(...losses) : 0;
  const hi = losses.length > 0 ? Math.max(...losses) : 1;
  const span = f(hi) - f(lo) || 1;
  return { t: (l) => (f(l) - f(lo)) / span, lo, hi };
}

/** `selection`: the runs in the parallel coordinates' brush; a cell without one of them is veiled. */
export function drawHeatMap(canvas: HTMLCanvasElement, map: HeatMap, theme: Theme, selected?: number, selection?: ReadonlySet<number>): HeatMapLayout {
  const width = canvas.clientWidth || 480;
  const height = canvas.clientHeight || 240;
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  const ctx = canvas.getContext('2d');
  const cw = (width - MARGIN.left - MARGIN.right) / Math.max(map.lrs.length, 1);
  const ch = (height - MARGIN.top - MARGIN.bottom) / Math.max(map.values.length, 1);
  // Row 0 (the smallest value) at the bottom, as on a y axis.
  const rect = (c: HeatCell) => ({ x: MARGIN.left + c.column * cw, y: MARGIN.top + (map.values.length - 1 - c.row) * ch });
  const layout: HeatMapLayout = {
    cellAt: (x, y) => map.cells.find((c) => {
      const r = rect(c);
      return x >= r.x && x < r.x + cw && y >= r.y && y < r.y + ch;
    }),
    centre: (c) => ({ x: rect(c).x + cw / 2, y: rect(c).y + ch / 2 }),
  };
  if (!ctx) return layout;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.fillStyle = theme.bg;
  ctx.fillRect(0, 0, width, height);
  const scale = scaleOf(map.cells);
  ctx.font = `11px ${theme.font}`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  for (const cell of map.cells) {
    const r = rect(cell);
    ctx.fillStyle = cell.loss === null ? theme.grid : colourAt(scale.t(cell.loss));
    ctx.fillRect(r.x + 1, r.y + 1, cw - 2, ch - 2);
    if (cell.marked) {
      // Viridis turns light past about 0.6: a dark cross there, a white one below.
      ctx.fillStyle = cell.loss === null ? theme.fg : scale.t(cell.loss) > 0.6 ? '#000000' : '#ffffff';
      ctx.fillText(cell.loss === null ? '✕ diverged' : '✕', r.x + cw / 2, r.y + ch / 2);
    }
    if (selection && !cell.runs.some((run) => selection.has(run))) {
      ctx.fillStyle = withAlpha(theme.bg, 0.8);
      ctx.fillRect(r.x + 1, r.y + 1, cw - 2, ch - 2);
    }
    if (cell.run === selected) {
      ctx.strokeStyle = theme.fg;
      ctx.lineWidth = 2;
      ctx.strokeRect(r.x + 1, r.y + 1, cw - 2, ch - 2);
    }
  }
  drawLabels(ctx, map, theme, { width, height, cw, ch });
  drawColourBar(ctx, theme, scale, { x: width - MARGIN.right + 14, y: MARGIN.top, h: height - MARGIN.top - MARGIN.bottom });
  return layout;
}

function drawLabels(ctx: CanvasRenderingContext2D, map: HeatMap, theme: Theme, size: { width: number; height: number; cw: number; ch: number }): void {
  ctx.fillStyle = theme.fg;
  ctx.textAlign = 'center';
  map.lrs.forEach((lr, i) => ctx.fillText(formatNumber(lr), MARGIN.left + (i + 0.5) * size.cw, size.height - MARGIN.bottom + 10));
  ctx.fillText('lr', MARGIN.left + (size.width - MARGIN.left - MARGIN.right) / 2, size.height - 8);
  ctx.textAlign = 'right';
  map.values.forEach((v, i) => ctx.fillText(v, MARGIN.left - 6, MARGIN.top + (map.values.length - 1 - i + 0.5) * size.ch));
  ctx.save();
  ctx.translate(12, MARGIN.top + (size.height - MARGIN.top - MARGIN.bottom) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = 'center';
  ctx.fillText(map.name, 0, 0);
  ctx.restore();
}

function drawColourBar(ctx: CanvasRenderingContext2D, theme: Theme, scale: { lo: number; hi: number }, at: { x: number; y: number; h: number }): void {
  const steps = 40;
  for (let i = 0; i < steps; i++) {
    ctx.fillStyle = colourAt(1 - i / (steps - 1));
    ctx.fillRect(at.x, at.y + (i * at.h) / steps, 12, at.h / steps + 1);
  }
  ctx.fillStyle = theme.fg;
  ctx.textAlign = 'left';
  ctx.fillText(formatNumber(scale.hi), at.x + 16, at.y + 6);
  ctx.fillText(formatNumber(scale.lo), at.x + 16, at.y + at.h - 6);
  ctx.fillStyle = theme.muted;
  ctx.fillText('final loss', at.x + 16, at.y + at.h / 2);
}
