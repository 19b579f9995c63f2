/**
 * The cards for per-step diagnostics (issue 21): the per-tensor small multiples (./tensorMultiples.ts), the
 * step-size gauge (./stepGaugeChart.ts) and the gradient-noise scale (./gradientNoiseChart.ts). They read the dashboard's runs after each host message (validated
 * there) and draw in the next animation frame; only new records are appended, charts are rebuilt when the
 * shown run, its tensors or the set of gauged (or noise-sampled) runs change.
 */
import type { RunSnapshot } from '../src/protocol/webview';
import { labelScope, runLabel } from './charts/buildSeries';
import type { Point } from './charts/series';
import { SeriesChart } from './charts/seriesChart';
import type { DashboardModel } from './dashboardModel';
import { el } from './dom';
import { hasGradientNoise, noiseNotes, noiseSeriesOf, noiseSpec } from './gradientNoiseChart';
import { gaugeNotes, gaugeSeriesOf, gaugeSpec } from './stepGaugeChart';
import { panelSpec, shownTensorRun, TENSOR_QUANTITIES, tensorNote, tensorPanels } from './tensorMultiples';
import type { Theme } from './theme';
import type { UiState } from './uiState';
import './stepDiagnostics.css';

/** What the cards read from the dashboard. */
export interface StepDiagnosticsSource {
  readonly model: DashboardModel;
  readonly ui: UiState;
}

/** A chart's drawn datasets (what Chart.js holds), for tests and exports. */
export interface DrawnChart {
  readonly title: string;
  readonly x: { readonly min?: number; readonly max?: number };
  readonly datasets: { readonly label: string; readonly data: readonly Point[] }[];
}

/** Dash patterns of the five quantities, as the small charts draw them (the legend repeats them). */
const DASHED = new Set([1, 3]);

export class StepDiagnosticsCards {
  readonly tensorsCard: HTMLElement;
  readonly gaugeCard: HTMLElement;
  readonly noiseCard: HTMLElement;
  private readonly multiples = el('div', { class: 'multiples' });
  private readonly legend = el('p', { class: 'legend' });
  private readonly tensorsNote = el('p', { class: 'note' });
  private readonly gaugeNote = el('p', { class: 'note' });
  private readonly gaugeChart: SeriesChart;
  private readonly noiseNote = el('p', { class: 'note' });
  private readonly noiseChart: SeriesChart;
  private noiseKey = '';
  private panels: { name: string; chart: SeriesChart }[] = [];
  private shownKey = '';
  private gaugeKey = '';
  private frameRequested = false;

  constructor(private readonly source: StepDiagnosticsSource, private readonly theme: () => Theme) {
    this.tensorsCard = el('section', { class: 'card card-tensors', 'aria-label': 'Per-tensor norms', 'data-chart': 'tensors', hidden: true },
      el('header', {}, el('h2', { text: 'Per-tensor norms' })),
      el('p', { class: 'caption', text: 'one chart per parameter tensor, same step axis: gradient, parameter and update norms, the update/parameter ratio, and the tensor\'s Hessian block λmax at curvature samples' }),
      this.legend, this.multiples, this.tensorsNote);
    const canvas = el('canvas', { role: 'img', 'aria-label': 'Step-size gauge chart' });
    this.gaugeCard = el('section', { class: 'card card-gauge', 'aria-label': 'Step-size gauge', 'data-chart': 'gauge', hidden: true },
      el('header', {}, el('h2', { text: 'Step-size gauge α' })),
      el('p', { class: 'caption', text: 'where each update lands on the quadratic fitted along it (Cockpit): −1 no move, 0 its minimum, 1 the other side of the valley; below 0 understep, above 0 overstep; line: running mean' }),
      el('div', { class: 'plot' }, canvas), this.gaugeNote);
    this.gaugeChart = new SeriesChart(canvas, theme(), gaugeSpec(theme()));
    const noiseCanvas = el('canvas', { role: 'img', 'aria-label': 'Gradient noise chart' });
    this.noiseCard = el('section', { class: 'card card-noise', 'aria-label': 'Gradient noise', 'data-chart': 'noise', hidden: true },
      el('header', {}, el('h2', { text: 'Gradient noise' })),
      el('p', { class: 'caption', text: 'B_simple = tr(Σ)/|g|² at curvature samples with its standard-error band (McCandlish et al. 2018), dashed: the batch size; batches well below B_simple are noise-dominated' }),
      el('div', { class: 'plot' }, noiseCanvas), this.noiseNote);
    this.noiseChart = new SeriesChart(noiseCanvas, theme(), noiseSpec(theme()));
  }

  /** Draws what changed in the next animation frame (several messages per frame cost one update). */
  refresh(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      this.update();
    });
  }

  /** The theme changed: every chart is rebuilt with its colours. */
  retheme(): void {
    this.shownKey = '';
    this.gaugeKey = '';
    this.noiseKey = '';
    this.update();
  }

  update(): void {
    const runs = this.source.model.visible(this.source.ui.hidden, false).filter(({ ghost }) => !ghost).map(({ run }) => run);
    this.updateTensors(runs);
    this.updateGauge(runs);
    this.updateNoise(runs);
  }

  /** The small multiples' and the gauge's datasets as drawn. */
  drawn(): { tensors: DrawnChart[]; gauge: DrawnChart; noise: DrawnChart } {
    const of = (title: string, chart: SeriesChart): DrawnChart => {
      const x = chart.chart.options.scales?.x as { min?: number; max?: number } | undefined;
      return { title, x: { min: x?.min, max: x?.max }, datasets: chart.chart.data.datasets.map((d) => ({ label: String(d.label), data: [...(d.data as Point[])] })) };
    };
    return { tensors: this.panels.map((p) => of(p.name, p.chart)), gauge: of('gauge', this.gaugeChart), noise: of('noise', this.noiseChart) };
  }

  /** The run's label as the other charts give it: with its seed where only the seed tells it from another run on screen. */
  private label(run: RunSnapshot): string {
    const { model, ui } = this.source;
    return runLabel(run, labelScope(run, [...model.runs.values(), ...(ui.showGhosts ? model.ghosts : [])]));
  }

  private updateTensors(runs: readonly RunSnapshot[]): void {
    const run = shownTensorRun(runs, this.source.ui.selected);
    this.tensorsCard.hidden = run === undefined;
    if (!run) {
      this.clearPanels();
      this.shownKey = '';
      return;
    }
    const key = `${run.runId}|${(run.meta?.tensors ?? []).map((t) => t.name).join(',')}`;
    if (key !== this.shownKey) {
      this.shownKey = key;
      this.buildPanels(run);
    } else {
      const ids = new Set([run.runId]);
      for (const p of this.panels) if (p.chart.pull(ids)) p.chart.render();
    }
    this.tensorsNote.textContent = tensorNote(run, this.label(run));
  }

  private buildPanels(run: RunSnapshot): void {
    this.clearPanels();
    const theme = this.theme();
    this.legend.replaceChildren(...TENSOR_QUANTITIES.map((q, i) => {
      const swatch = el('i', { class: DASHED.has(i) ? 'dashed' : '' });
      // Through the CSSOM: the webview's content security policy refuses style attributes.
      swatch.style.borderColor = theme.palette[i % theme.palette.length];
      return el('span', {}, swatch, q);
    }));
    for (const panel of tensorPanels(run, theme)) {
      const canvas = el('canvas', { role: 'img', 'aria-label': `norms of tensor ${panel.name}` });
      this.multiples.append(el('div', { class: 'multiple', 'data-tensor': panel.name },
        el('h3', { text: `${panel.name} (${panel.size})` }), el('div', { class: 'plot' }, canvas)));
      const spec = panelSpec(run, theme, 'norm, ratio, λmax');
      const chart = new SeriesChart(canvas, theme, spec);
      chart.setSeries(panel.series, theme, spec);
      this.panels.push({ name: panel.name, chart });
    }
  }

  private clearPanels(): void {
    for (const p of this.panels) p.chart.destroy();
    this.panels = [];
    this.multiples.replaceChildren();
  }

  private updateGauge(runs: readonly RunSnapshot[]): void {
    const gauged = runs.filter((r) => r.steps.some((s) => s.gauge !== undefined));
    this.gaugeCard.hidden = gauged.length === 0;
    const key = gauged.map((r) => r.runId).join('|');
    if (key !== this.gaugeKey) {
      this.gaugeKey = key;
      const theme = this.theme();
      const colour = (run: RunSnapshot) => theme.palette[this.source.model.colourIndex(run.runId) % theme.palette.length];
      this.gaugeChart.setSeries(gauged.flatMap((r) => gaugeSeriesOf(r, colour(r), this.label(r))), theme, gaugeSpec(theme));
    } else if (this.gaugeChart.pull(new Set(gauged.map((r) => r.runId)))) {
      this.gaugeChart.render();
    }
    const notes = gaugeNotes(gauged, (r) => this.label(r));
    this.gaugeNote.hidden = notes.length === 0;
    this.gaugeNote.textContent = notes.join(' · ');
  }

  private updateNoise(runs: readonly RunSnapshot[]): void {
    const sampled = runs.filter(hasGradientNoise);
    this.noiseCard.hidden = sampled.length === 0;
    const key = sampled.map((r) => r.runId).join('|');
    if (key !== this.noiseKey) {
      this.noiseKey = key;
      const theme = this.theme();
      const colour = (run: RunSnapshot) => theme.palette[this.source.model.colourIndex(run.runId) % theme.palette.length];
      this.noiseChart.setSeries(sampled.flatMap((r) => noiseSeriesOf(r, colour(r), this.label(r))), theme, noiseSpec(theme));
    } else if (this.noiseChart.pull(new Set(sampled.map((r) => r.runId)))) {
      this.noiseChart.render();
    }
    const notes = noiseNotes(sampled, (r) => this.label(r));
    this.noiseNote.hidden = notes.length === 0;
    this.noiseNote.textContent = notes.join(' · ');
  }
}
