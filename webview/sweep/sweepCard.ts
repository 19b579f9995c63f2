/**
 * The Sweep card: a sweep file the host opened (`sweep` message, src/protocol/sweepView.ts) as sensitivity
 * curves, a heat map for a grid over lr and one other hyperparameter, parallel coordinates of every run and
 * each hyperparameter's importance, and, for a clicked point or cell, that run's settings and thinned loss curve. Independent of the runs' charts; a new sweep replaces the shown one.
 */
import './sweep.css';
import type { Chart } from 'chart.js';
import type { SweepResult } from '../../src/protocol/sweep';
import { sweepViewMessageSchema, type SweepViewMessage } from '../../src/protocol/sweepView';
import { registerChart } from '../charts/registerChart';
import { el } from '../dom';
import type { Theme } from '../theme';
import { drawHeatMap, type HeatMapLayout } from './heatMapView';
import { type RunPoint, runLossConfig, sensitivityConfig, sensitivityDatasets, type SweepDataset } from './sweepCharts';
import { heatMap, lossAxisIsLog, markHeight, sensitivityCurves } from './sweepModel';
import { runSettingsList, sweepSummary } from './sweepText';
import { parameterImportance, type ImportanceResult } from './importance';
import { importanceConfig, registerBarChart } from './importanceChart';
import { parallelConfig, restyleParallel } from './parallelChart';
import { ParallelBrush } from './parallelBrush';
import { brushedRuns, brushText } from './brush';
import { brushedCurves, brushedLossConfig } from './brushedLosses';
import { comparisonTable } from './comparisonTable';
import { parallelModel, type ParallelModel } from './parallelModel';
import { importanceCaption, parallelCaption } from './analysisText';
import { tickBudget } from '../charts/axisTicks';

/** True for a message meant for the Sweep card (checked in full by `receive`). */
export const isSweepMessage = (data: unknown): boolean => typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'sweep';

export class SweepCard {
  readonly root = el('section', { class: 'card card-sweep', 'aria-label': 'Sweep', 'data-chart': 'sweep', hidden: true });
  /** Messages refused by the schema (also logged). */
  readonly rejected: string[] = [];
  shown: SweepViewMessage | undefined;
  selected: number | undefined;
  sensitivity: Chart<'line', RunPoint[]> | undefined;
  heat: HeatMapLayout | undefined;
  private readonly title = el('span', { class: 'sweep-file' });
  private readonly summary = el('p', { class: 'caption' });
  /** A tuned comparison's budget and table (empty for a plain sweep). */
  private readonly comparison = el('div');
  private readonly legend = el('div', { class: 'sweep-legend' });
  private readonly curveCanvas = el('canvas', { role: 'img', 'aria-label': 'final loss against lr' });
  private readonly heatCanvas = el('canvas', { role: 'img', 'aria-label': 'heat map of the final loss' });
  private readonly heatBox = el('div', { class: 'sweep-heat' });
  private readonly detail = el('div', { class: 'sweep-detail', hidden: true });
  /** The chosen run's loss chart. */
  runChart: Chart | undefined;
  parallelModel: ParallelModel | undefined;
  parallel: Chart<'line'> | undefined;
  importance: ImportanceResult | undefined;
  importanceChart: Chart<'bar', number[], string> | undefined;
  private readonly parallelCanvas = el('canvas', { role: 'img', 'aria-label': 'parallel coordinates of the runs' });
  private readonly parallelCaption = el('p', { class: 'caption' });
  private readonly importanceCanvas = el('canvas', { role: 'img', 'aria-label': 'parameter importance' });
  private readonly importanceCaption = el('p', { class: 'caption' });
  /** Brushing on the parallel coordinates; `brushed` holds the runs inside (undefined: no brush). */
  readonly brush: ParallelBrush;
  brushed: Set<number> | undefined;
  brushedChart: Chart<'line'> | undefined;
  private readonly brushStatus = el('p', { class: 'caption sweep-brush-status', role: 'status' });
  private readonly brushedCanvas = el('canvas', { role: 'img', 'aria-label': 'loss curves of the brushed runs' });
  private readonly brushedBox = el('div', { class: 'sweep-brushed', hidden: true }, el('h3', { text: 'Loss curves in the brush' }), el('div', { class: 'plot sweep-brushed-plot' }, this.brushedCanvas));

  /** `openRun`: the chosen run as a normal run (the host starts it); absent, no button (a page outside the editor). */
  constructor(private readonly theme: () => Theme, private readonly openRun?: (index: number) => void) {
    this.heatBox.append(el('p', { class: 'caption sweep-heat-caption' }), el('div', { class: 'sweep-heat-plot' }, this.heatCanvas));
    this.root.append(
      el('header', {}, el('h2', { text: 'Sweep' }), this.title),
      this.summary, this.comparison, this.legend,
      el('div', { class: 'plot' }, this.curveCanvas),
      this.heatBox,
      el('div', { class: 'sweep-analysis' },
        el('div', { class: 'sweep-parallel', 'data-chart': 'sweep-parallel' }, el('h3', { text: 'Parallel coordinates' }), this.parallelCaption, this.brushStatus, el('div', { class: 'plot sweep-parallel-plot' }, this.parallelCanvas)),
        el('div', { class: 'sweep-importance', 'data-chart': 'sweep-importance' }, el('h3', { text: 'Parameter importance' }), this.importanceCaption, el('div', { class: 'plot sweep-importance-plot' }, this.importanceCanvas)),
      ),
      this.brushedBox,
      this.detail,
    );
    this.brush = new ParallelBrush(this.parallelCanvas, () => this.parallel, () => this.parallelModel?.axes.length ?? 0, () => this.brushChanged());
    this.heatCanvas.addEventListener('click', (event) => {
      const rect = this.heatCanvas.getBoundingClientRect();
      const cell = this.heat?.cellAt(event.clientX - rect.left, event.clientY - rect.top);
      if (cell) this.pick(cell.run);
    });
  }

  /** Validates and shows a `sweep` message; a bad one is refused whole (the shown sweep stays). */
  receive(data: unknown): void {
    const parsed = sweepViewMessageSchema.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const text = `optimizer-lab sweep card: rejected message: ${issue.path.join('.') || '(root)'}: ${issue.message}`;
      console.error(text);
      this.rejected.push(text);
      return;
    }
    this.shown = parsed.data;
    this.selected = undefined;
    this.brush.clear();
    this.brushed = undefined;
    this.root.hidden = false;
    this.render();
  }

  /** Shows run `index` of the sweep (a click on a point or a cell). */
  pick(index: number): void {
    const result = this.shown?.result;
    const run = result?.runs[index];
    if (!result || !run) return;
    this.selected = index;
    this.render();
    this.detail.hidden = false;
    this.runChart?.destroy();
    const canvas = el('canvas', { role: 'img', 'aria-label': 'loss of the chosen run' });
    this.detail.replaceChildren(el('div', {}, runSettingsList(result, run), ...this.openButton(index)), el('div', { class: 'plot sweep-run-plot' }, canvas));
    this.runChart = new (registerChart())(canvas, runLossConfig(run, this.theme(), this.colourOfRun(result, index)));
  }

  /** Redraws everything from the shown sweep (also on a theme change). */
  render(): void {
    const shown = this.shown;
    if (!shown) return;
    const { result } = shown;
    const theme = this.theme();
    this.title.textContent = shown.file;
    this.summary.textContent = sweepSummary(result);
    this.comparison.replaceChildren(...(result.comparison ? [comparisonTable(result, result.comparison)] : []));
    const curves = sensitivityCurves(result);
    const log = lossAxisIsLog(result);
    const datasets = sensitivityDatasets(curves, theme, (curve) => markHeight(result, log, curve), this.selected, this.brushed);
    this.renderLegend(datasets, theme);
    this.sensitivity?.destroy();
    this.sensitivity = new (registerChart())(this.curveCanvas, sensitivityConfig(datasets, theme, log, (run) => this.pick(run))) as Chart<'line', RunPoint[]>;
    const map = heatMap(result);
    this.heatBox.hidden = map === undefined;
    this.heat = undefined;
    if (map) {
      (this.heatBox.firstElementChild as HTMLElement).textContent = `lr × ${map.name}: colour = final loss (mean over seeds); ✕ a diverged run (grey: no run of the cell finished)`;
      this.heat = drawHeatMap(this.heatCanvas, map, theme, this.selected, this.brushed);
    }
    this.renderAnalysis(result, theme);
    this.renderBrushed(result, theme);
  }

  /** A drag on the parallel coordinates moved: every view follows the runs inside the brush. */
  private brushChanged(): void {
    const shown = this.shown;
    const model = this.parallelModel;
    if (!shown || !model) return;
    const theme = this.theme();
    this.brushed = brushedRuns(model, this.brush.brushes);
    if (this.parallel) restyleParallel(this.parallel, model, theme, this.selected, this.brushed);
    const { result } = shown;
    if (this.sensitivity) {
      const log = lossAxisIsLog(result);
      this.sensitivity.data.datasets = sensitivityDatasets(sensitivityCurves(result), theme, (curve) => markHeight(result, log, curve), this.selected, this.brushed);
      this.sensitivity.update('none');
    }
    const map = heatMap(result);
    if (map) this.heat = drawHeatMap(this.heatCanvas, map, theme, this.selected, this.brushed);
    this.renderBrushed(result, theme);
  }

  /** The brushed runs' loss curves (hidden without a brush) and the brush in words. */
  private renderBrushed(result: SweepResult, theme: Theme): void {
    if (this.parallelModel) this.brushStatus.textContent = brushText(this.parallelModel, this.brush.brushes, this.brushed);
    this.brushedBox.hidden = this.brushed === undefined;
    this.brushedChart?.destroy();
    this.brushedChart = undefined;
    if (!this.brushed || !this.parallelModel) return;
    const curves = brushedCurves(result, this.parallelModel, this.brushed, theme);
    this.brushedChart = new (registerChart())(this.brushedCanvas, brushedLossConfig(curves, theme)) as Chart<'line'>;
  }

  /** Parallel coordinates (every run, coloured by final loss) and the importance bars. */
  private renderAnalysis(result: SweepResult, theme: Theme): void {
    this.parallelModel = parallelModel(result, tickBudget(this.parallelCanvas.parentElement?.clientHeight || 220, false));
    this.parallelCaption.textContent = parallelCaption(this.parallelModel);
    this.parallel?.destroy();
    this.parallel = new (registerChart())(this.parallelCanvas, parallelConfig(this.parallelModel, theme, this.selected, () => this.brush.brushes, this.brushed)) as Chart<'line'>;
    this.importance = parameterImportance(result);
    this.importanceCaption.textContent = importanceCaption(result, this.importance);
    this.importanceChart?.destroy();
    this.importanceChart = new (registerBarChart())(this.importanceCanvas, importanceConfig(this.importance, theme));
  }

  private renderLegend(datasets: SweepDataset[], theme: Theme): void {
    const lines = datasets.filter((d) => !d.marks);
    // Colours set through the CSSOM: the webview's CSP refuses style attributes.
    const items = lines.map((d) => {
      const swatch = el('span', { class: 'swatch' });
      swatch.style.background = String(d.borderColor);
      return el('span', { class: 'sweep-key' }, swatch, d.label ?? '');
    });
    const key = el('span', { class: 'sweep-key' }, '✕ diverged (or no finite final loss), drawn above the curves');
    key.style.color = theme.fg;
    items.push(key);
    this.legend.replaceChildren(...items);
  }

  /** "Open as run" for run `index`: its configuration as a normal run with every chart. */
  private openButton(index: number): HTMLElement[] {
    const open = this.openRun;
    if (!open) return [];
    const button = el('button', { class: 'sweep-open-run', type: 'button', text: 'Open as run', title: 'Run this configuration in the dashboard (replaces the runs shown)' });
    button.addEventListener('click', () => open(index));
    return [button];
  }

  private colourOfRun(result: SweepResult, index: number): string {
    const curve = sensitivityCurves(result).findIndex((c) => c.points.some((p) => p.run === index));
    const palette = this.theme().palette;
    return palette[Math.max(curve, 0) % palette.length];
  }
}
