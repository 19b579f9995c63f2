/**
 * Draws the replay over the trajectory chart: each run's iterate, the step it
 * actually took (solid arrow), the negative gradient and the first moment
 * (dashed arrows, in step units: −lr·g, −lr·m, shortened past MAX_ARROW_PX),
 * Adam's per-coordinate effective step (an ellipse, or a bar in 1-D), and in
 * 1-D the tangent at the iterate. A Chart.js plugin reads the overlay of its
 * chart from a WeakMap, so the chart's own options never hold it.
 */
import type { Chart, Plugin } from 'chart.js';
import type { Theme } from '../theme';
import { withAlpha } from '../theme';
import type { ReplayFrame } from './replayFrames';

export const MAX_ARROW_PX = 90;
const TANGENT_PX = 55;
export const MARKER_RADIUS = 5;

export interface OverlayRun {
  colour: string;
  frame: ReplayFrame;
}

export interface ReplayOverlay {
  /** 'plane': params are (x, y); 'curve': one parameter drawn at (x, loss). */
  mode: 'plane' | 'curve';
  runs: OverlayRun[];
  theme: Theme;
  /** The loss's slope at x from the landscape, when the run streamed no gradient (1-D tangent). */
  slopeAt?: (x: number) => number | undefined;
}

const overlays = new WeakMap<Chart, ReplayOverlay>();

export function setOverlay(chart: Chart, overlay: ReplayOverlay | undefined): void {
  if (overlay) overlays.set(chart, overlay);
  else overlays.delete(chart);
}

export const replayPlugin: Plugin = {
  id: 'olReplay',
  afterDatasetsDraw(chart) {
    const o = overlays.get(chart);
    if (!o || o.runs.length === 0) return;
    const { ctx, chartArea } = chart;
    ctx.save();
    ctx.beginPath();
    ctx.rect(chartArea.left, chartArea.top, chartArea.right - chartArea.left, chartArea.bottom - chartArea.top);
    ctx.clip();
    for (const r of o.runs) drawRun(chart, o, r);
    ctx.restore();
  },
};

export type Px = [number, number];

/** The replay's three arrows: the step taken, −lr·∇f and −lr·m (momentum / first moment). */
export type ArrowKind = 'step' | 'grad' | 'moment';

/** An arrow's colour and dash, shared by the 2-D and the 3-D replay: the gradient in the theme's text colour, the rest in the run's. */
export function arrowStyle(kind: ArrowKind, runColour: string, theme: Theme): [string, number[]] {
  if (kind === 'grad') return [withAlpha(theme.fg, 0.85), [4, 3]];
  return kind === 'moment' ? [runColour, [2, 2]] : [runColour, []];
}

function drawRun(chart: Chart, o: ReplayOverlay, { colour, frame }: OverlayRun): void {
  const { ctx, scales } = chart;
  const at = (x: number, y: number): Px => [scales.x.getPixelForValue(x), scales.y.getPixelForValue(y)];
  const curve = o.mode === 'curve';
  const here = curve ? at(frame.params[0], frame.loss) : at(frame.params[0], frame.params[1]);
  if (!here.every(Number.isFinite)) return;
  /** The pixel offset of a move by `d` in parameter space from the iterate (1-D: along x only). */
  const offset = (d: readonly number[]): Px => {
    const to = curve ? at(frame.params[0] + d[0], frame.loss) : at(frame.params[0] + d[0], frame.params[1] + d[1]);
    return [to[0] - here[0], to[1] - here[1]];
  };
  const lr = Number.isFinite(frame.lr) ? frame.lr : 1;
  if (frame.effectiveStep) drawEffective(ctx, here, offset(frame.effectiveStep.map(Math.abs)), colour, curve);
  if (curve) drawTangent(ctx, chart, o, frame, here);
  const style = (kind: ArrowKind) => arrowStyle(kind, colour, o.theme);
  if (frame.grad) arrow(ctx, here, clamp(offset(frame.grad.map((g) => -lr * g))), ...style('grad'));
  if (frame.moment) arrow(ctx, here, clamp(offset(frame.moment.map((m) => -lr * m))), ...style('moment'));
  if (frame.next) {
    const to = curve ? at(frame.next[0], frame.nextLoss ?? NaN) : at(frame.next[0], frame.next[1]);
    if (to.every(Number.isFinite)) arrow(ctx, here, clamp([to[0] - here[0], to[1] - here[1]]), ...style('step'));
  }
  ctx.beginPath();
  ctx.arc(here[0], here[1], MARKER_RADIUS, 0, 2 * Math.PI);
  ctx.fillStyle = colour;
  ctx.fill();
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = o.theme.bg;
  ctx.stroke();
}

/** A pixel offset shortened to MAX_ARROW_PX (the 3-D overlay shortens its arrows the same way). */
export function clamp(d: Px): Px {
  const len = Math.hypot(d[0], d[1]);
  return len > MAX_ARROW_PX ? [(d[0] * MAX_ARROW_PX) / len, (d[1] * MAX_ARROW_PX) / len] : d;
}

/** A shaft from `from` by `d` with a filled head, dashed by `dash`. */
export function arrow(ctx: CanvasRenderingContext2D, from: Px, d: Px, colour: string, dash: number[]): void {
  const len = Math.hypot(d[0], d[1]);
  if (!(len >= 1)) return;
  const to: Px = [from[0] + d[0], from[1] + d[1]];
  const head = Math.min(8, len / 2);
  const ux = d[0] / len, uy = d[1] / len;
  ctx.save();
  ctx.strokeStyle = colour;
  ctx.fillStyle = colour;
  ctx.lineWidth = 2;
  ctx.setLineDash(dash);
  ctx.beginPath();
  ctx.moveTo(from[0], from[1]);
  ctx.lineTo(to[0], to[1]);
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.beginPath();
  ctx.moveTo(to[0], to[1]);
  ctx.lineTo(to[0] - head * ux - head * 0.5 * uy, to[1] - head * uy + head * 0.5 * ux);
  ctx.lineTo(to[0] - head * ux + head * 0.5 * uy, to[1] - head * uy - head * 0.5 * ux);
  ctx.closePath();
  ctx.fill();
  ctx.restore();
}

/** Adam's per-coordinate step: an axis-aligned ellipse (a bar along x in 1-D). */
function drawEffective(ctx: CanvasRenderingContext2D, c: Px, r: Px, colour: string, curve: boolean): void {
  const rx = Math.min(Math.abs(r[0]), 4 * MAX_ARROW_PX), ry = Math.min(Math.abs(r[1]), 4 * MAX_ARROW_PX);
  if (curve) {
    strokeEffective(ctx, colour, false, () => {
      ctx.moveTo(c[0] - rx, c[1]);
      ctx.lineTo(c[0] + rx, c[1]);
      ctx.moveTo(c[0] - rx, c[1] - 4);
      ctx.lineTo(c[0] - rx, c[1] + 4);
      ctx.moveTo(c[0] + rx, c[1] - 4);
      ctx.lineTo(c[0] + rx, c[1] + 4);
    });
  } else if (rx >= 0.5 || ry >= 0.5) {
    strokeEffective(ctx, colour, true, () => ctx.ellipse(c[0], c[1], Math.max(rx, 0.5), Math.max(ry, 0.5), 0, 0, 2 * Math.PI));
  }
}

/** The effective step's look, shared with the 3-D replay: a dashed outline in the run's colour, faintly filled when closed. */
export function strokeEffective(ctx: CanvasRenderingContext2D, colour: string, fill: boolean, trace: () => void): void {
  ctx.save();
  ctx.strokeStyle = colour;
  ctx.fillStyle = withAlpha(colour, 0.12);
  ctx.lineWidth = 1.5;
  ctx.setLineDash([3, 2]);
  ctx.beginPath();
  trace();
  if (fill) ctx.fill();
  ctx.stroke();
  ctx.restore();
}

/** The tangent of the loss at the iterate: slope from the streamed gradient, else from the landscape. */
function drawTangent(ctx: CanvasRenderingContext2D, chart: Chart, o: ReplayOverlay, frame: ReplayFrame, here: Px): void {
  const slope = frame.grad?.[0] ?? o.slopeAt?.(frame.params[0]);
  if (slope === undefined || !Number.isFinite(slope)) return;
  const { scales } = chart;
  // One unit along x and `slope` along y, in pixels, normalised to TANGENT_PX either side.
  const dx = scales.x.getPixelForValue(frame.params[0] + 1) - here[0];
  const dy = scales.y.getPixelForValue(frame.loss + slope) - here[1];
  const len = Math.hypot(dx, dy);
  if (!(len > 0)) return;
  const ux = (dx / len) * TANGENT_PX, uy = (dy / len) * TANGENT_PX;
  ctx.save();
  ctx.strokeStyle = withAlpha(o.theme.fg, 0.7);
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  ctx.moveTo(here[0] - ux, here[1] - uy);
  ctx.lineTo(here[0] + ux, here[1] + uy);
  ctx.stroke();
  ctx.restore();
}
