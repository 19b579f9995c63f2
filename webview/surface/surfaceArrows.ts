/**
 * The replay's optimizer state on the 3-D surface, as the 2-D replay draws
 * it (replayOverlay.ts): at each run's iterate the step taken, −lr·∇f and
 * −lr·m, each from the iterate lifted onto the surface to the surface over
 * the arrow's end in parameter space, and Adam's effective step as the
 * ellipse (x ± |e₁| cos t, y ± |e₂| sin t) laid on the surface. Shapes are
 * computed in CSS pixels of the surface canvas from the camera's matrix and
 * drawn on a 2-D canvas over the WebGL one, in the 2-D replay's colours and
 * dashes; long arrows are shortened on screen as in 2-D.
 */
import type { ReplayFrame } from '../replay/replayFrames';
import { type ArrowKind, arrow, arrowStyle, clamp, MARKER_RADIUS, type Px, strokeEffective } from '../replay/replayOverlay';
import type { Theme } from '../theme';
import { type Mat4, toPixels, type Vec3 } from './camera';
import type { SurfaceScene } from './surfaceScene';

/** Replay marks float this far over the surface (model units), as the markers do. */
export const REPLAY_LIFT = 0.02;
const ELLIPSE_POINTS = 48;

export interface SurfaceArrow {
  runId: string;
  kind: ArrowKind;
  /** The parameter-space point the arrow points at (before any shortening on screen). */
  target: [number, number];
  /** Screen ends in CSS pixels; `to` is shortened to MAX_ARROW_PX from `from` when longer. */
  from: Px;
  to: Px;
}

export interface SurfaceOverlayShapes {
  arrows: SurfaceArrow[];
  ellipses: { runId: string; points: Px[] }[];
  markers: { runId: string; at: Px }[];
}

export interface SurfaceView {
  scene: SurfaceScene;
  matrix: Mat4;
  /** The canvas in CSS pixels. */
  width: number;
  height: number;
}

/** The model point over data point (x, y) lifted onto the surface; `fallback` height off the grid. */
export function liftedPoint(scene: SurfaceScene, x: number, y: number, fallback?: number): Vec3 | undefined {
  const h = scene.heightAt(x, y) ?? fallback;
  return h === undefined || !Number.isFinite(x) || !Number.isFinite(y) ? undefined : [...scene.toModel(x, y), h + REPLAY_LIFT];
}

/** Every frame's arrows, ellipse and marker on screen (frames whose iterate is off the grid draw nothing). */
export function surfaceOverlayShapes(frames: readonly ReplayFrame[], view: SurfaceView): SurfaceOverlayShapes {
  const out: SurfaceOverlayShapes = { arrows: [], ellipses: [], markers: [] };
  const px = (p: Vec3 | undefined) => (p ? toPixels(view.matrix, p, view.width, view.height) : undefined);
  for (const f of frames) {
    const [x, y] = f.params;
    const base = x === undefined || y === undefined ? undefined : view.scene.heightAt(x, y);
    const here = base === undefined ? undefined : px(liftedPoint(view.scene, x, y));
    if (!here) continue;
    const lr = Number.isFinite(f.lr) ? f.lr : 1;
    const add = (kind: ArrowKind, d: readonly number[] | undefined) => {
      if (!d || d.length < 2) return;
      const target: [number, number] = [x + d[0], y + d[1]];
      const to = px(liftedPoint(view.scene, target[0], target[1], base));
      if (to) out.arrows.push({ runId: f.runId, kind, target, from: here, to: shortened(here, to) });
    };
    if (f.effectiveStep) {
      const [ex, ey] = f.effectiveStep.map(Math.abs);
      const points = Array.from({ length: ELLIPSE_POINTS }, (_, i) => (2 * Math.PI * i) / ELLIPSE_POINTS)
        .map((t) => px(liftedPoint(view.scene, x + ex * Math.cos(t), y + ey * Math.sin(t), base)))
        .filter((p): p is Px => p !== undefined);
      if (points.length > 2) out.ellipses.push({ runId: f.runId, points });
    }
    add('grad', f.grad?.map((g) => -lr * g));
    add('moment', f.moment?.map((m) => -lr * m));
    if (f.next) add('step', [f.next[0] - x, f.next[1] - y]);
    out.markers.push({ runId: f.runId, at: here });
  }
  return out;
}

function shortened(from: Px, to: Px): Px {
  const d = clamp([to[0] - from[0], to[1] - from[1]]);
  return [from[0] + d[0], from[1] + d[1]];
}

/** Draws the shapes on a 2-D context in CSS pixels: ellipses, then arrows, then the markers over them (as in 2-D). */
export function drawSurfaceOverlay(ctx: CanvasRenderingContext2D, shapes: SurfaceOverlayShapes, colourOf: (runId: string) => string, theme: Theme): void {
  for (const e of shapes.ellipses) {
    strokeEffective(ctx, colourOf(e.runId), true, () => {
      e.points.forEach(([a, b], i) => (i === 0 ? ctx.moveTo(a, b) : ctx.lineTo(a, b)));
      ctx.closePath();
    });
  }
  for (const a of shapes.arrows) arrow(ctx, a.from, [a.to[0] - a.from[0], a.to[1] - a.from[1]], ...arrowStyle(a.kind, colourOf(a.runId), theme));
  for (const m of shapes.markers) {
    ctx.beginPath();
    ctx.arc(m.at[0], m.at[1], MARKER_RADIUS, 0, 2 * Math.PI);
    ctx.fillStyle = colourOf(m.runId);
    ctx.fill();
  }
}
