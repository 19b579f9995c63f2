/**
 * The Interpolation card (issue 23): the loss along the straight line between two runs' final points
 * (t = 0 the first, t = 1 the second), or one run's start and end, as the runner computed it
 * (src/protocol/interpolation.ts), with the barrier height in the caption: are the two minima connected?
 * The card sits beside the Trajectory card and shows while that card draws a slice of finished runs of more
 * than two parameters (the runner keeps only their paths); its Interpolate button asks. Only the answer to
 * the latest request is drawn.
 */
import type { Chart, ChartConfiguration } from 'chart.js';
import type { InterpolationAnswer, InterpolationProfileView, InterpolationRequest } from '../../src/protocol/interpolation';
import type { RunSnapshot } from '../../src/protocol/webview';
import { el } from '../dom';
import type { HostApi } from '../hostApi';
import type { Theme } from '../theme';
import { formatNumber } from './buildSeries';
import { registerChart } from './registerChart';

type XY = { x: number; y: number };

/** What the chart draws, as plain data (the tests read it): the loss at each t, the ends, the caption. */
export interface InterpolationModel {
  points: XY[];
  ends: XY[];
  caption: string;
}

/** The chart's points (gaps where the loss was not finite) and the caption with the barrier height. */
export function interpolationModel(profile: InterpolationProfileView, names: readonly string[]): InterpolationModel {
  const points = profile.ts.flatMap((x, i) => (profile.losses[i] === null ? [] : [{ x, y: profile.losses[i] as number }]));
  const ends = [{ x: 0, y: profile.ends[0] }, { x: 1, y: profile.ends[1] }];
  const line = profile.between === 'runs' ? `from ${names[0]}'s final point (t = 0) to ${names[1]}'s (t = 1)` : `from ${names[0]}'s start (t = 0) to its end (t = 1)`;
  const ridge = profile.barrier > 0
    ? `barrier height ${formatNumber(profile.barrier)} above the higher end: the line crosses a ridge`
    : 'no barrier: the loss stays at or below the higher end along the line';
  return { points, ends, caption: `loss along the straight line ${line}; ends ${formatNumber(profile.ends[0])} and ${formatNumber(profile.ends[1])}; ${ridge}` };
}

export class InterpolationCard {
  readonly root = el('section', { class: 'card card-interpolation', 'aria-label': 'Interpolation', 'data-chart': 'interpolation', hidden: true });
  /** Asks for the line (in the card's header: the Trajectory card's header is full). */
  readonly button = el('button', { class: 'interpolate', text: 'Interpolate' });
  model: InterpolationModel | undefined;
  chart: Chart<'line', XY[]> | undefined;
  /** Answers drawn, and answers ignored because a newer request was made (tests read them). */
  readonly counts = { drawn: 0, stale: 0 };
  private readonly canvas = el('canvas', { role: 'img', 'aria-label': 'loss along the line between two points' });
  private readonly caption = el('p', { class: 'caption' });
  private readonly note = el('p', { class: 'note', role: 'status' });
  private offered: { ids: InterpolationRequest['runIds']; names: string[] } | undefined;
  private asked: { requestId: string; names: string[]; ids: readonly string[] } | undefined;
  /** The runs of the drawn line: it goes when one of them is no longer shown. */
  private drawnIds: readonly string[] = [];
  private next = 0;
  private theme: Theme | undefined;

  constructor(trajectoryCard: HTMLElement, private readonly host: HostApi) {
    this.button.addEventListener('click', () => this.ask());
    this.root.append(el('header', {}, el('h2', { text: 'Interpolation' }), this.button), this.note, el('div', { class: 'plot', hidden: true }, this.canvas), this.caption);
    trajectoryCard.after(this.root);
  }

  /** The runs the button would ask about: the first two finished runs of more than two parameters, or one run's start → end. */
  offer(runs: readonly RunSnapshot[], label: (run: RunSnapshot) => string, theme: Theme): void {
    this.theme = theme;
    if (this.model && !this.drawnIds.every((id) => runs.some((run) => run.runId === id))) this.clear();
    const eligible = runs.filter((run) => (run.meta?.paramCount ?? 0) > 2 && run.done !== undefined).slice(0, 2);
    const names = eligible.map(label);
    this.offered = eligible.length === 0 || !this.host.inEditor ? undefined
      : { ids: eligible.length === 1 ? [eligible[0].runId] : [eligible[0].runId, eligible[1].runId], names };
    // Shown while there is something to ask about, and kept once a line is drawn.
    this.root.hidden = this.offered === undefined && this.model === undefined;
    this.button.hidden = this.offered === undefined;
    if (!this.offered) return;
    this.button.title = names.length === 2 ? `Loss along the straight line from ${names[0]}'s final point to ${names[1]}'s` : `Loss along the straight line from ${names[0]}'s start to its end`;
    if (!this.model && !this.asked) this.note.textContent = `Interpolate: ${this.button.title.toLowerCase()}, to see whether a ridge separates them`;
  }

  private ask(): void {
    if (!this.offered) return;
    const requestId = `interpolation-${++this.next}`;
    this.asked = { requestId, names: this.offered.names, ids: this.offered.ids };
    this.note.textContent = 'computing the loss along the line…';
    this.host.post({ type: 'interpolation', requestId, runIds: this.offered.ids });
  }

  /** The host's answer: drawn when it answers the latest request; a warning keeps the current chart and says why. */
  receive(m: InterpolationAnswer): void {
    if (this.asked?.requestId !== m.requestId) {
      this.counts.stale++;
      return;
    }
    const { names, ids } = this.asked;
    this.asked = undefined;
    this.note.textContent = m.warning ?? '';
    if (!m.profile) return;
    this.model = interpolationModel(m.profile, names);
    this.drawnIds = ids;
    this.caption.textContent = this.model.caption;
    this.canvas.parentElement?.removeAttribute('hidden');
    this.draw(this.model);
    this.counts.drawn++;
  }

  private clear(): void {
    this.model = undefined;
    this.drawnIds = [];
    this.caption.textContent = '';
    this.note.textContent = '';
    this.canvas.parentElement?.setAttribute('hidden', '');
  }

  private draw(model: InterpolationModel): void {
    const theme = this.theme;
    if (!theme) return;
    const config = interpolationConfig(model, theme);
    if (this.chart) {
      this.chart.data = config.data;
      this.chart.options = config.options ?? {};
      this.chart.update('none');
    } else this.chart = new (registerChart())(this.canvas, config) as Chart<'line', XY[]>;
  }
}

function interpolationConfig(model: InterpolationModel, theme: Theme): ChartConfiguration<'line', XY[]> {
  const colour = theme.palette[0];
  const axis = (title: string) => ({
    type: 'linear' as const,
    title: { display: true, text: title, color: theme.muted, font: { family: theme.font, size: 11 } },
    ticks: { color: theme.muted, font: { family: theme.font, size: 10 }, maxRotation: 0 },
    grid: { color: theme.grid }, border: { color: theme.grid },
  });
  return {
    type: 'line',
    data: {
      datasets: [
        { label: 'loss', data: model.points, borderColor: colour, backgroundColor: colour, borderWidth: 2, pointRadius: 0, tension: 0, spanGaps: false },
        { label: 'ends', data: model.ends, showLine: false, borderColor: colour, backgroundColor: colour, pointRadius: 5 },
      ],
    },
    options: {
      animation: false, responsive: true, maintainAspectRatio: false, parsing: false, color: theme.fg, font: { family: theme.font },
      scales: { x: axis('t (0 and 1: the two points)'), y: axis('loss') },
      plugins: { legend: { display: false }, tooltip: { enabled: true } },
    },
  };
}
