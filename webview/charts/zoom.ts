/**
 * Zoom and pan for a dashboard chart: Ctrl/⌘ + wheel zooms around the
 * pointer, dragging pans, double-click or the card's "reset" button goes back
 * to the chart's own axes; "+" and "−" zoom around the centre (keyboard). The
 * window lives here, not in the chart's options (the dashboard replaces those
 * on every rebuild): a plugin writes it into the scales before each update.
 * Own code rather than chartjs-plugin-zoom: that plugin pans through hammerjs
 * (unreleased since 2016) and keeps the original limits in the options we
 * replace; this also tells the card when the window settles (the contour then
 * asks for a grid over it).
 */
import type { Chart, Plugin } from 'chart.js';
import { el } from '../dom';
import { registerChart } from './registerChart';

export type Range = [number, number];
export interface ZoomWindow {
  x: Range;
  y: Range;
}

const windows = new WeakMap<Chart, ZoomWindow>();
type Limits = { min?: number; max?: number };
/** The limits the chart's options had before the window was written into them. */
const ownAxes = new WeakMap<Chart, { written: ZoomWindow; axes: Record<string, Limits> }>();
/** Wheel notch and button zoom factor. */
const STEP = 1.25;
/** Quiet time after the last zoom or pan before `onSettled`. */
const SETTLE_MS = 350;

/** Writes the window into the chart's options (read when the next update starts); true when they changed. */
function writeWindow(chart: Chart, w: ZoomWindow | undefined): boolean {
  const scales = chart.config.options?.scales as Record<string, Limits> | undefined;
  if (!w || !scales?.x || !scales.y) return false;
  const last = ownAxes.get(chart)?.written;
  if (!last || scales.x.min !== last.x[0] || scales.x.max !== last.x[1] || scales.y.min !== last.y[0] || scales.y.max !== last.y[1]) {
    // Not what was written last: options the dashboard just built, whose limits are the chart's own (reset restores them).
    ownAxes.set(chart, { written: w, axes: { x: { min: scales.x.min, max: scales.x.max }, y: { min: scales.y.min, max: scales.y.max } } });
  } else {
    ownAxes.set(chart, { written: w, axes: ownAxes.get(chart)?.axes ?? {} });
  }
  const changed = scales.x.min !== w.x[0] || scales.x.max !== w.x[1] || scales.y.min !== w.y[0] || scales.y.max !== w.y[1];
  [scales.x.min, scales.x.max] = w.x;
  [scales.y.min, scales.y.max] = w.y;
  return changed;
}

/**
 * Chart.js reads scale options before any plugin hook of an update: after the dashboard replaced the options
 * (a rebuild), the window goes back in and one more update follows.
 */
export const zoomPlugin: Plugin = {
  id: 'olZoom',
  afterUpdate(chart) {
    if (writeWindow(chart, windows.get(chart))) queueMicrotask(() => chart.update('none'));
  },
};

export function zoomWindow(chart: Chart): ZoomWindow | undefined {
  return windows.get(chart);
}

/** The window after scaling the visible one by `factor` around pixel (px, py) (factor < 1 zooms in). */
function scaled(chart: Chart, factor: number, px: number, py: number): ZoomWindow {
  const { x, y } = chart.scales;
  const around = (lo: number, hi: number, at: number): Range => [at - (at - lo) * factor, at + (hi - at) * factor];
  const [x0, x1] = around(x.left, x.right, px);
  const [y0, y1] = around(y.bottom, y.top, py);
  return { x: ordered(x.getValueForPixel(x0), x.getValueForPixel(x1)), y: ordered(y.getValueForPixel(y0), y.getValueForPixel(y1)) };
}

function ordered(a: number | undefined, b: number | undefined): Range {
  const lo = a ?? NaN, hi = b ?? NaN;
  return lo <= hi ? [lo, hi] : [hi, lo];
}

export interface ZoomHandle {
  reset(): void;
  set(w: ZoomWindow): void;
}

/** Adds zoom and pan to `chart`, "+ − reset" buttons to `header`; `onSettled` gets each settled window (undefined on reset). */
export function attachZoom(chart: Chart, header: HTMLElement, onSettled?: (w: ZoomWindow | undefined) => void): ZoomHandle {
  registerChart().register(zoomPlugin);
  const canvas = chart.canvas;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const reset = el('button', { type: 'button', class: 'small zoom-reset', title: 'Back to the whole chart (or double-click the chart)', text: 'reset', hidden: true });
  const zoomIn = el('button', { type: 'button', class: 'small', title: 'Zoom in (Ctrl + wheel on the chart; drag to pan)', 'aria-label': 'Zoom in', text: '+' });
  const zoomOut = el('button', { type: 'button', class: 'small', title: 'Zoom out', 'aria-label': 'Zoom out', text: '−' });
  header.insertBefore(el('span', { class: 'zoom-buttons' }, zoomIn, zoomOut, reset), header.lastChild);

  const apply = (w: ZoomWindow | undefined): void => {
    if (w && [...w.x, ...w.y].every(Number.isFinite) && w.x[1] > w.x[0] && w.y[1] > w.y[0]) {
      windows.set(chart, w);
      writeWindow(chart, w);
    } else if (windows.delete(chart)) {
      // Back to the chart's own axes: the card's next rebuild would restore them too, but not before.
      const scales = chart.config.options?.scales as Record<string, Limits> | undefined;
      for (const [axis, own] of Object.entries(ownAxes.get(chart)?.axes ?? {})) if (scales?.[axis]) Object.assign(scales[axis], own);
      ownAxes.delete(chart);
    }
    reset.hidden = !windows.has(chart);
    chart.update('none');
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => onSettled?.(windows.get(chart)), SETTLE_MS);
  };
  const centre = (): [number, number] => [(chart.chartArea.left + chart.chartArea.right) / 2, (chart.chartArea.top + chart.chartArea.bottom) / 2];

  canvas.addEventListener('wheel', (e) => {
    if (!(e.ctrlKey || e.metaKey)) return;
    e.preventDefault();
    apply(scaled(chart, e.deltaY < 0 ? 1 / STEP : STEP, e.offsetX, e.offsetY));
  }, { passive: false });
  zoomIn.addEventListener('click', () => apply(scaled(chart, 1 / STEP, ...centre())));
  zoomOut.addEventListener('click', () => apply(scaled(chart, STEP, ...centre())));
  reset.addEventListener('click', () => apply(undefined));
  canvas.addEventListener('dblclick', () => apply(undefined));

  let drag: { px: number; py: number; w: ZoomWindow } | undefined;
  canvas.addEventListener('pointerdown', (e) => {
    const a = chart.chartArea;
    if (e.button !== 0 || e.offsetX < a.left || e.offsetX > a.right || e.offsetY < a.top || e.offsetY > a.bottom) return;
    const { x, y } = chart.scales;
    drag = { px: e.offsetX, py: e.offsetY, w: { x: ordered(x.min, x.max), y: ordered(y.min, y.max) } };
    canvas.setPointerCapture(e.pointerId);
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!drag) return;
    const { x, y } = chart.scales;
    // Shift the window by the drag, measured in values at the drag's start (linear or log axes alike).
    const dx = (v: number) => x.getValueForPixel(x.getPixelForValue(v) - (e.offsetX - (drag?.px ?? 0))) ?? v;
    const dy = (v: number) => y.getValueForPixel(y.getPixelForValue(v) - (e.offsetY - (drag?.py ?? 0))) ?? v;
    if (Math.abs(e.offsetX - drag.px) + Math.abs(e.offsetY - drag.py) < 3) return;
    apply({ x: ordered(dx(drag.w.x[0]), dx(drag.w.x[1])), y: ordered(dy(drag.w.y[0]), dy(drag.w.y[1])) });
    drag = { px: e.offsetX, py: e.offsetY, w: windows.get(chart) ?? drag.w };
  });
  const end = () => (drag = undefined);
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
  return { reset: () => apply(undefined), set: apply };
}
