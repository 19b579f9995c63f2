/**
 * One Chart.js chart fed by Series. Set up for streaming: no animation, no
 * parsing, normalized data, no points, reduced data (PointReducer), and
 * `update('none')` at most once per animation frame (the caller's loop).
 */
import type { Chart, ChartDataset, ChartOptions, Plugin, ScaleType } from 'chart.js';
import type { Theme } from '../theme';
import { formatTick, placeTicks } from './axisTicks';
import { registerChart } from './registerChart';
import { PointReducer } from './pointReducer';
import type { Point, Series } from './series';

export interface AxisSpec {
  type: 'linear' | 'logarithmic';
  title: string;
  min?: number;
  max?: number;
  /** Upper limit applied only when the data reach above it (a diverging run must not squash the rest). */
  cap?: number;
  /** What a tick stands for, when the plotted value is a transform of it (the spectrum's symmetric-log axis). */
  tickLabel?: (value: number) => string;
}

export interface Marker {
  x: number;
  color: string;
  label: string;
}

export interface ChartSpec {
  x: AxisSpec;
  y: AxisSpec;
  /** Vertical lines (lr changed mid-run). */
  markers?: Marker[];
  /** Draws under the datasets (the trajectory's landscape). */
  background?: (chart: Chart) => void;
  /** The x values are not sorted (a path): no decimation. */
  unsorted?: boolean;
  /** Canvas background, so exported PNGs look like the panel. */
  bg?: string;
}

type LineDataset = ChartDataset<'line', Point[]>;

// Kept outside chart.options: Chart.js's option resolver would call the spec's functions as scriptable options.
const specs = new WeakMap<Chart, ChartSpec>();

const markerPlugin: Plugin = {
  id: 'olMarkers',
  beforeDraw(chart) {
    const bg = specs.get(chart)?.bg;
    if (!bg) return;
    const { ctx } = chart;
    ctx.save();
    ctx.fillStyle = bg;
    ctx.fillRect(0, 0, chart.width, chart.height);
    ctx.restore();
  },
  beforeDatasetsDraw(chart) {
    const spec = specs.get(chart);
    if (!spec) return;
    spec.background?.(chart);
    const { ctx, chartArea, scales } = chart;
    for (const m of spec.markers ?? []) {
      const px = scales.x.getPixelForValue(m.x);
      if (!(px >= chartArea.left && px <= chartArea.right)) continue;
      ctx.save();
      ctx.strokeStyle = m.color;
      ctx.setLineDash([3, 3]);
      ctx.beginPath();
      ctx.moveTo(px, chartArea.top);
      ctx.lineTo(px, chartArea.bottom);
      ctx.stroke();
      ctx.fillStyle = m.color;
      ctx.font = '10px sans-serif';
      ctx.fillText(m.label, px + 3, chartArea.top + 10);
      ctx.restore();
    }
  },
};

/**
 * Chart.js gets a frozen, reduced copy of each series' points, refreshed when
 * it grew: Chart.js patches push/splice on extensible data arrays to sync its
 * elements (it must not watch our full arrays), and re-reducing 100k points
 * per redraw is what makes long runs stutter.
 */
function freeze(points: Point[]): Point[] {
  return Object.freeze(points) as Point[];
}

export class SeriesChart {
  readonly chart: Chart;
  private series: Series[] = [];
  private readonly grown = new Set<number>();
  private reducers: (PointReducer | undefined)[] = [];

  constructor(canvas: HTMLCanvasElement, theme: Theme, spec: ChartSpec) {
    const ChartCtor = registerChart();
    this.chart = new ChartCtor(canvas, {
      type: 'line',
      data: { datasets: [] },
      options: options(theme, spec),
      plugins: [markerPlugin],
    });
    specs.set(this.chart, spec);
  }

  /** Replaces every line (new runs, new settings or theme). */
  setSeries(series: Series[], theme: Theme, spec: ChartSpec): void {
    this.series = series;
    for (const s of series) s.pull();
    this.chart.options = options(theme, spec);
    specs.set(this.chart, spec);
    // Paths and fitted lines are rewritten in place and stay short: copied whole.
    this.reducers = series.map((s) => (spec.unsorted || s.rewrites ? undefined : new PointReducer(s.points)));
    this.chart.data.datasets = series.map((s, i) => toDataset(s, this.viewOf(i))) as ChartDataset[];
    this.grown.clear();
    this.chart.update('none');
  }

  /** Appends new records of these runs; returns true when anything grew. */
  pull(runIds: ReadonlySet<string>): boolean {
    let grew = false;
    this.series.forEach((s, i) => {
      if (runIds.has(s.runId) && s.pull()) {
        this.grown.add(i);
        grew = true;
      }
    });
    return grew;
  }

  /** Sets the y axis's cap; returns true when it changed (the chart needs a redraw). */
  setCap(cap: number | undefined): boolean {
    const spec = specs.get(this.chart);
    if (!spec || spec.y.cap === cap) return false;
    spec.y.cap = cap;
    return true;
  }

  /** Returns true when the markers changed (the chart needs a redraw). */
  setMarkers(markers: Marker[]): boolean {
    const spec = specs.get(this.chart);
    if (!spec) return false;
    const same = (spec.markers ?? []).length === markers.length
      && markers.every((m, i) => spec.markers?.[i].x === m.x && spec.markers[i].label === m.label && spec.markers[i].color === m.color);
    spec.markers = markers;
    return !same;
  }

  markers(): readonly Marker[] {
    return specs.get(this.chart)?.markers ?? [];
  }

  /** Marks a series whose points were rewritten in place (the fitted line). */
  touch(series: Series): void {
    const i = this.series.indexOf(series);
    if (i >= 0) this.grown.add(i);
  }

  render(): void {
    const datasets = this.chart.data.datasets;
    for (const i of this.grown) if (datasets[i]) datasets[i].data = this.viewOf(i);
    this.grown.clear();
    this.chart.update('none');
  }

  private viewOf(i: number): Point[] {
    const reducer = this.reducers[i];
    return freeze(reducer ? reducer.view() : this.series[i].points.slice());
  }

  /** Full point counts per series (what was received, before decimation). */
  counts(): Record<string, number> {
    return Object.fromEntries(this.series.map((s) => [s.key, s.points.filter((p) => Number.isFinite(p.y)).length]));
  }

  seriesList(): readonly Series[] {
    return this.series;
  }

  destroy(): void {
    this.chart.destroy();
  }
}

function toDataset(s: Series, data: Point[]): LineDataset {
  const st = s.style;
  return {
    label: s.label,
    data,
    borderColor: st.color,
    backgroundColor: st.color,
    borderWidth: st.width,
    borderDash: st.dash ?? [],
    pointRadius: st.pointRadius ?? 0,
    pointHoverRadius: (st.pointRadius ?? 0) + 2,
    // A scriptable option makes Chart.js resolve options per point: only where points are drawn.
    ...(st.pointRadius ? { pointStyle: (ctx: { raw?: unknown }) => ((ctx.raw as Point | undefined)?.neg ? 'triangle' : 'circle') } : {}),
    showLine: st.showLine ?? true,
    fill: st.fillPrevious ? '-1' : false,
    spanGaps: false,
    normalized: true,
    parsing: false,
    order: s.ghost ? 2 : 1,
  } as LineDataset;
}

function axis(theme: Theme, a: AxisSpec, isX: boolean) {
  return {
    type: a.type as ScaleType,
    min: a.min,
    max: a.max,
    title: { display: true, text: a.title, color: theme.muted, font: { family: theme.font, size: 11 } },
    ticks: {
      color: theme.muted, font: { family: theme.font, size: 10 }, maxRotation: 0, autoSkipPadding: 12,
      ...(a.tickLabel ? { callback: a.tickLabel } : a.type === 'logarithmic' ? { callback: formatTick } : {}),
      ...(isX && a.type === 'linear' ? { maxTicksLimit: 8 } : { maxTicksLimit: 7 }),
    },
    grid: { color: theme.grid },
    border: { color: theme.grid },
    // Read from the live spec, so a cap that changes with the data needs no new options.
    afterDataLimits: (scale: { chart: Chart; max: number }) => {
      const cap = specs.get(scale.chart)?.[isX ? 'x' : 'y'].cap;
      if (cap !== undefined && scale.max > cap) scale.max = cap;
    },
    afterBuildTicks: placeTicks,
  };
}

function options(theme: Theme, spec: ChartSpec): ChartOptions<'line'> {
  return {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    parsing: false,
    normalized: true,
    spanGaps: false,
    color: theme.fg,
    font: { family: theme.font },
    interaction: { mode: 'nearest', intersect: false, axis: 'x' },
    elements: { line: { tension: 0 }, point: { radius: 0 } },
    scales: { x: axis(theme, spec.x, true), y: axis(theme, spec.y, false) } as ChartOptions<'line'>['scales'],
    plugins: {
      legend: { display: false },
      tooltip: {
        enabled: true,
        backgroundColor: theme.bg, titleColor: theme.fg, bodyColor: theme.fg, borderColor: theme.grid, borderWidth: 1,
        filter: (item) => !String(item.dataset.label).includes('residual'),
      },
    },
  };
}
