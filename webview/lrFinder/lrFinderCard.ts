/**
 * The LR finder card: an lr range test the host ran (`lrFinderView`, src/protocol/lrFinder.ts) as the loss
 * against the lr with the suggested lrs marked, the test's progress while it runs, its error at the user's
 * file:line, and a "Use this lr" button per suggestion (sets the dashboard's lr; the host sets the setting).
 */
import './lrFinder.css';
import type { Chart } from 'chart.js';
import { lrFinderViewSchema, type LrFinderView } from '../../src/protocol/lrFinder';
import { formatTick } from '../charts/axisTicks';
import { registerChart } from '../charts/registerChart';
import { el } from '../dom';
import type { Theme } from '../theme';
import { lrFinderConfig, lrFinderModel, SUGGESTION_LABELS, suggestionColour, type LrFinderModel, type SuggestionKind, type XY } from './lrFinderChart';

/** True for a message meant for the LR finder card (checked in full by `receive`). */
export const isLrFinderMessage = (data: unknown): boolean => typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'lrFinderView';

/** A suggested lr as the button shows it (3 significant digits: what the dashboard's lr control keeps). */
export const roundedLr = (lr: number): number => Number(lr.toPrecision(3));

export class LrFinderCard {
  readonly root = el('section', { class: 'card card-lr-finder', 'aria-label': 'LR finder', 'data-chart': 'lr-finder', hidden: true });
  /** Messages refused by the schema (also logged). */
  readonly rejected: string[] = [];
  shown: LrFinderView | undefined;
  model: LrFinderModel | undefined;
  chart: Chart<'line', XY[]> | undefined;
  private readonly title = el('span', { class: 'lr-finder-what' });
  private readonly status = el('p', { class: 'caption lr-finder-status', role: 'status' });
  private readonly error = el('p', { class: 'lr-finder-error', hidden: true });
  private readonly actions = el('div', { class: 'lr-finder-actions' });
  private readonly canvas = el('canvas', { role: 'img', 'aria-label': 'loss against learning rate' });

  constructor(
    private readonly theme: () => Theme,
    /** "Use this lr": the dashboard's lr control and the host. */
    private readonly use: (lr: number, optimizer: string) => void,
  ) {
    this.root.append(
      el('header', {}, el('h2', { text: 'LR finder' }), this.title),
      this.status, this.error, el('div', { class: 'plot' }, this.canvas), this.actions,
      el('p', {
        class: 'caption',
        text: 'lr grows exponentially each step (Smith 2017; fastai\'s lr_find); line: loss smoothed with a bias-corrected moving average (β 0.98); the test stops once it passes 4× its best. Suggestions skip the first tenth and the last five points.',
      }),
    );
  }

  /** Validates and shows an `lrFinderView` message; a bad one is refused whole (the shown test stays). */
  receive(data: unknown): void {
    const parsed = lrFinderViewSchema.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const text = `optimizer-lab lr finder card: rejected message: ${issue.path.join('.') || '(root)'}: ${issue.message}`;
      console.error(text);
      this.rejected.push(text);
      return;
    }
    this.shown = parsed.data;
    this.root.hidden = false;
    this.render();
  }

  /** Redraws from the shown test (also on a theme change). */
  render(): void {
    const view = this.shown;
    if (!view) return;
    this.title.textContent = `${view.objective} · ${view.optimizer.id} · ${view.file}`;
    this.status.textContent = statusText(view);
    this.error.hidden = view.error === undefined;
    if (view.error) this.error.textContent = `${view.error.file ? `${view.error.file}${view.error.line ? `:${view.error.line}` : ''}: ` : ''}${view.error.message}`;
    this.model = lrFinderModel(view);
    const config = lrFinderConfig(this.model, view, this.theme());
    if (this.chart) {
      // Streaming: the same chart takes the new data (no flicker, no new canvas).
      this.chart.data = config.data;
      this.chart.options = config.options ?? {};
      this.chart.update('none');
    } else this.chart = new (registerChart())(this.canvas, config) as Chart<'line', XY[]>;
    this.renderActions(view);
  }

  private renderActions(view: LrFinderView): void {
    const buttons = (Object.keys(SUGGESTION_LABELS) as SuggestionKind[]).flatMap((kind) => {
      const lr = view.suggestions?.[kind];
      if (lr === undefined) return [];
      const rounded = roundedLr(lr);
      const button = el('button', { class: kind === 'steepest' ? 'primary' : '', 'data-suggestion': kind, text: `Use lr ${formatTick(rounded)} (${SUGGESTION_LABELS[kind]})` });
      button.title = view.optimizer.isDefault ? 'Sets the dashboard\'s lr and optimizerLab.learningRate' : 'Sets the dashboard\'s lr';
      button.addEventListener('click', () => this.use(rounded, view.optimizer.id));
      // The key of the suggestion's line on the chart (colour set through the CSSOM: the CSP refuses style attributes).
      const swatch = el('span', { class: `swatch${kind === 'steepest' ? '' : ' dashed'}` });
      swatch.style.borderColor = suggestionColour(kind, this.theme());
      return [el('span', { class: 'lr-finder-key' }, swatch, button)];
    });
    this.actions.replaceChildren(...buttons);
  }
}

function statusText(view: LrFinderView): string {
  const n = view.points.length;
  const range = view.range ? `lr ${formatTick(view.range.from)} → ${formatTick(view.range.to)} over at most ${view.range.steps} steps` : 'starting';
  const last = n > 0 ? view.points[n - 1].lr : undefined;
  switch (view.status) {
    case 'running':
      return `running: ${n} steps so far${last !== undefined ? ` (lr ${formatTick(Number(last.toPrecision(3)))})` : ''}; ${range}`;
    case 'cancelled':
      return `cancelled after ${n} steps; ${range}`;
    case 'error':
      return `failed after ${n} steps; ${range}`;
    case 'done': {
      const stop = view.stoppedAt !== undefined ? `stopped at step ${view.stoppedAt} (smoothed loss above 4× its best)` : `ran all ${n} steps`;
      const none = view.suggestions?.steepest === undefined ? '; too few points to suggest an lr (try a smaller start)' : '';
      return `${stop}; ${range}${none}`;
    }
  }
}
