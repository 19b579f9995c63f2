/**
 * The 3-D surface on the trajectory card: a contour | surface toggle in the
 * card's header, and over the plot a WebGL view of the grid the contour
 * draws (the zoomed window's grid once it arrived) with every path on it.
 * Drag rotates, the wheel zooms, a double-click (or Home) resets; arrow keys
 * and +/− do the same from the keyboard. It redraws whenever the 2-D chart
 * draws (new records, a replay step, a rebuild), so it follows live runs and
 * the replay without a loop of its own; the replay's arrows are drawn on a
 * 2-D canvas over it (surfaceArrows.ts). The view and the camera are kept in
 * the webview's state. Without WebGL it says so.
 */
import type { Chart, Plugin } from 'chart.js';
import { registerChart } from '../charts/registerChart';
import type { Point } from '../charts/series';
import type { TrajectoryView } from '../charts/trajectoryView';
import { el } from '../dom';
import type { Theme } from '../theme';
import type { FrameCanvas } from '../replay/frameCanvas';
import type { ReplayFrame } from '../replay/replayFrames';
import type { UiState } from '../uiState';
import { clampOrbit, DEFAULT_ORBIT, type Orbit, rotated, toPixels, type Vec3, viewProjection, zoomed, Z_TOP } from './camera';
import { drawSurfaceOverlay, type SurfaceOverlayShapes, surfaceOverlayShapes, type SurfaceView } from './surfaceArrows';
import { composeSurface, type SurfaceLabel } from './surfaceCapture';
import { rgbaOf, surfaceColours } from './surfaceColours';
import { SurfaceGl, type Rgba } from './surfaceGl';
import { replayMarkers, surfacePaths, type SurfaceSeries } from './surfacePaths';
import { HEIGHT_FLOOR, surfaceScene, type SurfaceScene } from './surfaceScene';
import './surface.css';

/** What the surface needs of the replay (webview/replay/replay.ts): each run's frame at the current step; exports record the surface while shown. */
export interface SurfaceReplay {
  frames(): readonly ReplayFrame[];
  onSeek(listener: (k: number) => void): void;
  captureFrom(source: () => FrameCanvas | undefined): void;
}

/** Where the view and the camera are kept across reloads (the dashboard's UiState and its save). */
export interface SurfaceMemory {
  ui: Pick<UiState, 'landscapeView' | 'orbit'>;
  save(): void;
}

export const NO_WEBGL = 'The 3-D surface needs WebGL, which this window does not offer (it may be turned off, or the GPU blocked). The contour view shows the same landscape.';

const cards = new WeakMap<HTMLCanvasElement, SurfaceCard>();
/** Every draw of a trajectory chart redraws its surface (if shown). */
const followChart: Plugin = { id: 'olSurface', afterDraw: (chart: Chart) => cards.get(chart.canvas)?.chartDrew(chart) };

export class SurfaceCard {
  readonly toggle: HTMLElement;
  readonly layer: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  /** The replay's arrows and markers over the WebGL canvas. */
  readonly overlay: HTMLCanvasElement;
  readonly fallback: HTMLElement;
  /** The last picture's projection and replay shapes, in CSS pixels (tests read them). */
  drawn?: SurfaceView & { shapes: SurfaceOverlayShapes };
  /** Surface draws so far (tests read it). */
  readonly stats = { draws: 0 };
  orbit: Orbit = DEFAULT_ORBIT;
  private readonly buttons: { contour: HTMLButtonElement; surface: HTMLButtonElement };
  private readonly labels: { x: HTMLElement; y: HTMLElement; top: HTMLElement };
  private readonly chartCanvas?: HTMLCanvasElement;
  private active = false;
  private gl?: SurfaceGl;
  private glError?: string;
  private view?: TrajectoryView;
  private theme?: Theme;
  private scene?: { grid: object; scene: SurfaceScene; cells: number };
  /** The scene the GPU holds, and which paths (run, colour, point count): re-uploaded only when they change. */
  private uploaded?: SurfaceScene;
  private pathsKey = '';
  private replay?: SurfaceReplay;
  private drawPending = false;
  /** The trajectory chart, once it drew: its datasets hold the points it was fed (the view's series may be a later, unfed copy). */
  private chart?: Chart;
  private resolver?: CanvasRenderingContext2D | null;
  private memory?: SurfaceMemory;
  private dragging = false;
  private labelSpots: { text: string; at: [number, number]; element: HTMLElement }[] = [];
  private composite?: HTMLCanvasElement;

  /** `savePng(dataUrl, name)`: the card's PNG button saves the surface while it is shown. */
  constructor(private readonly header: HTMLElement, private readonly plot: HTMLElement | null, private readonly rebuild: () => void, savePng?: (dataUrl: string, name: string) => void) {
    const button = (text: string, title: string) => el('button', { type: 'button', class: 'small', text, title, 'aria-pressed': 'false' });
    this.buttons = { contour: button('contour', 'Show the landscape as contours'), surface: button('surface', 'Show the landscape as a 3-D surface (drag to rotate, wheel to zoom)') };
    this.toggle = el('span', { class: 'surface-toggle', role: 'group', 'aria-label': 'landscape view', hidden: true }, this.buttons.contour, this.buttons.surface);
    header.insertBefore(this.toggle, header.querySelector('h2')?.nextSibling ?? null);
    this.buttons.contour.addEventListener('click', () => this.setActive(false));
    this.buttons.surface.addEventListener('click', () => this.setActive(true));
    this.canvas = el('canvas', { class: 'surface-canvas', tabindex: 0, role: 'img', 'aria-label': '3-D loss surface with the runs\' paths; arrow keys rotate, + and − zoom' });
    const label = (cls: string) => el('span', { class: `surface-label ${cls}` });
    this.labels = { x: label('surface-x'), y: label('surface-y'), top: label('surface-z') };
    this.overlay = el('canvas', { class: 'surface-overlay', 'aria-hidden': 'true' });
    this.fallback = el('p', { class: 'surface-fallback', role: 'status', hidden: true });
    this.layer = el('div', { class: 'surface-layer', hidden: true }, this.canvas, this.overlay, ...Object.values(this.labels), this.fallback);
    this.chartCanvas = this.plot?.querySelector('canvas:not(.surface-canvas)') ?? undefined;
    if (this.chartCanvas) cards.set(this.chartCanvas, this);
    registerChart().register(followChart);
    this.listen();
    this.pressed();
    // Ahead of the chart's own PNG export (capture listeners run first at the target): the picture shown is the surface.
    header.querySelector('button[data-png]')?.addEventListener('click', (e) => {
      if (!this.shown || !this.gl || !savePng) return;
      e.stopImmediatePropagation();
      this.draw();
      savePng(this.canvas.toDataURL('image/png'), 'optimizer-lab-trajectory-surface.png');
    }, { capture: true });
  }

  /** The card's view as drawn: the toggle where there is a 2-D grid; with the surface on, the caption says how to read it. */
  show(view: TrajectoryView, theme: Theme): TrajectoryView {
    this.view = view;
    this.theme = theme;
    const grid = view.grid;
    this.toggle.hidden = grid === undefined;
    if (grid && this.scene?.grid !== grid.values) this.scene = { grid: grid.values, scene: surfaceScene(grid), cells: Math.max(grid.xs.length, grid.ys.length) - 1 };
    this.pathsKey = '';
    const on = this.active && grid !== undefined;
    // Into the page on first use: until then the card holds only the chart's canvas.
    if (on && !this.layer.isConnected) this.plot?.append(this.layer);
    this.layer.hidden = !on;
    if (this.chartCanvas) this.chartCanvas.style.visibility = on ? 'hidden' : '';
    // The 2-D chart's zoom buttons would zoom the hidden chart: the wheel zooms the surface instead.
    this.header.querySelector<HTMLElement>('.zoom-buttons')?.toggleAttribute('hidden', on);
    this.requestDraw();
    if (!on || !this.scene) return view;
    const [lo, hi] = this.scene.scene.loss;
    const caption = `${view.caption} · 3-D: height log(loss − min + ε), ε = ${100 * HEIGHT_FLOOR} % of the loss's range ${fmt(lo)} to ${fmt(hi)}; lines at the contour's levels; drag to rotate, wheel to zoom, double-click to reset`;
    return { ...view, caption };
  }

  /**
   * Draws the replay's state on the surface and lets its exports record the surface while shown; returns the
   * replay (the dashboard keeps it). With `memory`, the view and camera saved there are restored and kept.
   */
  follow<R extends SurfaceReplay>(replay: R, memory?: SurfaceMemory): R {
    this.replay = replay;
    replay.onSeek(() => this.requestDraw());
    replay.captureFrom(() => (this.shown && this.gl ? this.frameCanvas() : undefined));
    this.memory = memory;
    if (memory) {
      this.active = memory.ui.landscapeView === 'surface';
      if (memory.ui.orbit) this.orbit = clampOrbit(memory.ui.orbit);
      this.pressed();
    }
    return replay;
  }

  get shown(): boolean {
    return !this.layer.hidden;
  }

  chartDrew(chart: Chart): void {
    this.chart = chart;
    this.requestDraw();
  }

  requestDraw(): void {
    if (this.drawPending || !this.shown) return;
    this.drawPending = true;
    requestAnimationFrame(() => {
      this.drawPending = false;
      this.draw();
    });
  }

  /** Draws now (tests call it to read pixels without waiting a frame). */
  draw(): void {
    const scene = this.scene?.scene, view = this.view, theme = this.theme;
    if (!this.shown || !scene || !view || !theme || !this.ensureGl() || !this.gl) return;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(this.canvas.clientWidth * dpr)), h = Math.max(1, Math.round(this.canvas.clientHeight * dpr));
    if (this.canvas.width !== w || this.canvas.height !== h) [this.canvas.width, this.canvas.height] = [w, h];
    const colourOf = (c: string) => this.rgba(c);
    const series = this.drawnSeries(view);
    const key = series.map((s) => `${s.runId}:${s.style.color}:${s.points.length}`).join('|');
    if (this.uploaded !== scene) {
      this.gl.setScene(scene);
      this.uploaded = scene;
    }
    if (key !== this.pathsKey) {
      this.gl.setPaths(surfacePaths(series, scene, this.scene?.cells ?? 1, colourOf));
      this.pathsKey = key;
    }
    const matrix = viewProjection(this.orbit, w / h);
    const frames = view.mode === 'contour' && this.replay ? this.replay.frames() : [];
    this.gl.draw(matrix, surfaceColours(theme, (c) => this.resolve(c)), replayMarkers(frames, series, scene, colourOf));
    this.drawOverlay({ scene, matrix, width: this.canvas.clientWidth, height: this.canvas.clientHeight }, frames, series, theme);
    this.placeLabels(matrix, scene, view);
    this.stats.draws++;
  }

  /** The replay's arrows, ellipses and markers over the surface, in the runs' colours. */
  private drawOverlay(view: SurfaceView, frames: readonly ReplayFrame[], series: readonly SurfaceSeries[], theme: Theme): void {
    const o = this.overlay;
    if (o.width !== this.canvas.width || o.height !== this.canvas.height) [o.width, o.height] = [this.canvas.width, this.canvas.height];
    const ctx = o.getContext('2d');
    const shapes = surfaceOverlayShapes(frames, view);
    this.drawn = { ...view, shapes };
    if (!ctx) return;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, o.width, o.height);
    ctx.setTransform(o.width / Math.max(view.width, 1), 0, 0, o.height / Math.max(view.height, 1), 0, 0);
    drawSurfaceOverlay(ctx, shapes, (runId) => series.find((s) => s.runId === runId)?.style.color ?? theme.fg, theme);
  }

  /** The surface as shown (WebGL, arrows, labels) on one canvas, redrawn on demand: what replay exports record. */
  private frameCanvas(): FrameCanvas {
    this.composite ??= document.createElement('canvas');
    const canvas = this.composite;
    return {
      canvas,
      render: () => {
        this.draw();
        const labels: SurfaceLabel[] = this.labelSpots.map(({ text, at, element }) => {
          const style = getComputedStyle(element);
          return { text, at, font: style.font, colour: style.color };
        });
        composeSurface(canvas, [this.canvas, this.overlay], labels, this.canvas.width / Math.max(this.canvas.clientWidth, 1));
      },
    };
  }

  /** The view's series with the points the chart drew for them (same order, same labels). */
  private drawnSeries(view: TrajectoryView): SurfaceSeries[] {
    const sets = this.chart?.data.datasets ?? [];
    return view.series.map((s, i) => {
      const set = sets[i];
      const points = set && set.label === s.label && Array.isArray(set.data) ? (set.data as Point[]) : s.points;
      return { runId: s.runId, style: s.style, points };
    });
  }

  private setActive(on: boolean): void {
    this.active = on;
    this.pressed();
    this.remember();
    this.rebuild();
    if (on) this.canvas.focus({ preventScroll: true });
  }

  private pressed(): void {
    this.buttons.contour.setAttribute('aria-pressed', String(!this.active));
    this.buttons.surface.setAttribute('aria-pressed', String(this.active));
  }

  /** Creates the WebGL context on first use; false (with the message shown) when there is none. */
  private ensureGl(): boolean {
    if (!this.gl && this.glError === undefined) {
      try {
        this.gl = SurfaceGl.create(this.canvas);
        if (!this.gl) this.glError = NO_WEBGL;
      } catch (e) {
        this.glError = `${NO_WEBGL} (${e instanceof Error ? e.message : String(e)})`;
      }
    }
    this.fallback.hidden = this.glError === undefined;
    this.fallback.textContent = this.glError ?? '';
    this.canvas.hidden = this.glError !== undefined;
    return this.gl !== undefined;
  }

  private listen(): void {
    const c = this.canvas;
    let last: [number, number] | undefined;
    c.addEventListener('pointerdown', (e) => {
      last = [e.clientX, e.clientY];
      this.dragging = true;
      c.setPointerCapture(e.pointerId);
    });
    c.addEventListener('pointermove', (e) => {
      if (!last) return;
      this.turn(rotated(this.orbit, e.clientX - last[0], e.clientY - last[1], c.clientWidth));
      last = [e.clientX, e.clientY];
    });
    const stop = () => {
      last = undefined;
      this.dragging = false;
      this.remember();
    };
    c.addEventListener('pointerup', stop);
    c.addEventListener('pointercancel', stop);
    c.addEventListener('wheel', (e) => {
      e.preventDefault();
      this.turn(zoomed(this.orbit, Math.sign(e.deltaY)));
    }, { passive: false });
    c.addEventListener('dblclick', () => this.turn(DEFAULT_ORBIT));
    c.addEventListener('webglcontextlost', (e) => {
      e.preventDefault();
      this.gl = undefined;
      this.glError = `${NO_WEBGL} (the WebGL context was lost)`;
      this.ensureGl();
    });
    c.addEventListener('keydown', (e) => {
      const step = 24;
      const keys: Record<string, () => Orbit> = {
        ArrowLeft: () => rotated(this.orbit, -step, 0, c.clientWidth), ArrowRight: () => rotated(this.orbit, step, 0, c.clientWidth),
        ArrowUp: () => rotated(this.orbit, 0, -step, c.clientWidth), ArrowDown: () => rotated(this.orbit, 0, step, c.clientWidth),
        '+': () => zoomed(this.orbit, -1), '=': () => zoomed(this.orbit, -1), '-': () => zoomed(this.orbit, 1), Home: () => DEFAULT_ORBIT,
      };
      const next = keys[e.key];
      if (!next) return;
      e.preventDefault();
      this.turn(next());
    });
  }

  private turn(orbit: Orbit): void {
    this.orbit = orbit;
    this.requestDraw();
    // A drag is saved once, when it ends.
    if (!this.dragging) this.remember();
  }

  /** Keeps the view and the camera in the webview's state (restored by follow after a reload). */
  private remember(): void {
    if (!this.memory) return;
    this.memory.ui.landscapeView = this.active ? 'surface' : 'contour';
    this.memory.ui.orbit = { ...this.orbit };
    this.memory.save();
  }

  /** Axis names and ranges at the middle of two floor edges, the top's loss over a corner post. */
  private placeLabels(matrix: Float32Array, scene: SurfaceScene, view: TrajectoryView): void {
    const { clientWidth: w, clientHeight: h } = this.canvas;
    this.labelSpots = [];
    const place = (label: HTMLElement, at: Vec3, text: string) => {
      const px = toPixels(matrix, at, w, h);
      label.hidden = px === undefined;
      label.textContent = text;
      if (!px) return;
      label.style.transform = `translate(${px[0].toFixed(0)}px, ${px[1].toFixed(0)}px) translate(-50%, -50%)`;
      this.labelSpots.push({ text, at: [Math.round(px[0]), Math.round(px[1])], element: label });
    };
    place(this.labels.x, [0, -1.18, 0], `${view.spec.x.title} ${fmt(scene.box.x[0])} … ${fmt(scene.box.x[1])}`);
    place(this.labels.y, [1.18, 0, 0], `${view.spec.y.title} ${fmt(scene.box.y[0])} … ${fmt(scene.box.y[1])}`);
    place(this.labels.top, [-1, 1, Z_TOP * 1.06], `loss ${fmt(scene.loss[1])}`);
  }

  private rgba(css: string): Rgba {
    return rgbaOf(css, (c) => this.resolve(c));
  }

  /** Any CSS colour as the canvas normalises it (#rrggbb or rgba()). */
  private resolve(css: string): string {
    this.resolver ??= document.createElement('canvas').getContext('2d');
    if (!this.resolver) return css;
    this.resolver.fillStyle = '#000';
    this.resolver.fillStyle = css;
    return String(this.resolver.fillStyle);
  }
}

function fmt(v: number): string {
  return Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : Number(v.toPrecision(3)).toString();
}
