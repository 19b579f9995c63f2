/**
 * The pointer side of brushing (model: brush.ts): a drag that starts near an axis of the parallel-coordinates
 * chart sets that axis's range, a click (no drag) on an axis clears its range. The chart takes no events of its
 * own (its config has `events: []`), so positions come from its scales.
 */
import type { Chart } from 'chart.js';
import type { BrushRange, Brushes } from './brush';
import { DIVERGED_Y } from './parallelModel';

/** How near an axis (CSS pixels) a drag must start. */
export const AXIS_GRAB_PX = 14;
/** Less movement than this is a click. */
const CLICK_PX = 3;

interface Drag {
  axis: number;
  from: number;
  startY: number;
  pointer: number;
}

export class ParallelBrush {
  private readonly ranges = new Map<number, BrushRange>();
  private drag: Drag | undefined;

  constructor(
    canvas: HTMLCanvasElement,
    private readonly chart: () => Chart<'line'> | undefined,
    private readonly axes: () => number,
    private readonly changed: (brushes: Brushes) => void,
  ) {
    canvas.addEventListener('pointerdown', (e) => this.start(canvas, e));
    canvas.addEventListener('pointermove', (e) => this.move(e));
    canvas.addEventListener('pointerup', (e) => this.end(e));
    canvas.addEventListener('pointercancel', () => (this.drag = undefined));
  }

  get brushes(): Brushes {
    return this.ranges;
  }

  /** A new sweep: no brush. */
  clear(): void {
    this.ranges.clear();
    this.drag = undefined;
  }

  /** The axis whose line is within AXIS_GRAB_PX of x, if any. */
  axisAt(x: number): number | undefined {
    const chart = this.chart();
    if (!chart) return undefined;
    let best: number | undefined;
    let distance = AXIS_GRAB_PX;
    for (let i = 0; i < this.axes(); i++) {
      const d = Math.abs(chart.scales.x.getPixelForValue(i) - x);
      if (d <= distance) [best, distance] = [i, d];
    }
    return best;
  }

  private valueAt(y: number): number {
    const value = this.chart()?.scales.y.getValueForPixel(y) ?? 0;
    return Math.min(Math.max(value, -0.03), DIVERGED_Y + 0.05);
  }

  private start(canvas: HTMLCanvasElement, e: PointerEvent): void {
    const axis = this.axisAt(e.offsetX);
    if (axis === undefined) return;
    canvas.setPointerCapture?.(e.pointerId);
    this.drag = { axis, from: this.valueAt(e.offsetY), startY: e.offsetY, pointer: e.pointerId };
    e.preventDefault();
  }

  private move(e: PointerEvent): void {
    const drag = this.drag;
    if (!drag || e.pointerId !== drag.pointer || Math.abs(e.offsetY - drag.startY) < CLICK_PX) return;
    const to = this.valueAt(e.offsetY);
    this.ranges.set(drag.axis, [Math.min(drag.from, to), Math.max(drag.from, to)]);
    this.changed(this.ranges);
  }

  private end(e: PointerEvent): void {
    const drag = this.drag;
    if (!drag || e.pointerId !== drag.pointer) return;
    this.drag = undefined;
    const to = this.valueAt(e.offsetY);
    if (Math.abs(e.offsetY - drag.startY) < CLICK_PX) this.ranges.delete(drag.axis);
    else this.ranges.set(drag.axis, [Math.min(drag.from, to), Math.max(drag.from, to)]);
    this.changed(this.ranges);
  }
}
