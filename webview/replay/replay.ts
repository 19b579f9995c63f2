/**
 * The replay of the trajectory card: a play/pause button, a step scrubber and
 * a speed menu. Every run on the card moves in lockstep by step; at the end of
 * the scrubber it follows live runs as their records arrive. Drawing is the
 * overlay's (replayOverlay.ts); this keeps the step and the controls.
 */
import type { Chart } from 'chart.js';
import type { Landscape, RunSnapshot } from '../../src/protocol/webview';
import { el } from '../dom';
import type { Theme } from '../theme';
import { type ReplayFrame, ReplayPath, replayEnd } from './replayFrames';
import { registerChart } from '../charts/registerChart';
import { replayPlugin, type ReplayOverlay, setOverlay } from './replayOverlay';
import type { FrameCanvas } from './frameCanvas';

export interface ReplaySource {
  chart(): Chart;
  /** 'plane' for the 2-parameter contour, 'curve' for the 1-parameter curve; undefined: nothing to replay. */
  mode(): ReplayOverlay['mode'] | undefined;
  /** The runs on the card (not ghosts), with their colours. */
  runs(): { run: RunSnapshot; colour: string }[];
  theme(): Theme;
}

/** A replay lasts about this many seconds at 1×. */
const SECONDS_AT_1X = 10;
const SPEEDS = ['0.25', '1', '4'];
const REPLAY_KEY = 'replay: ● iterate · solid arrow: the step taken · dashed: −lr·∇f · dotted: −lr·m (momentum / first moment) · dashed ellipse: Adam\'s per-coordinate step · 1-D: the tangent · long arrows shortened';

export class Replay {
  readonly controls: HTMLElement;
  private readonly button: HTMLButtonElement;
  private readonly scrubber: HTMLInputElement;
  private readonly label: HTMLElement;
  private readonly speed: HTMLSelectElement;
  /** Record the replay as WebM, or as PNG frames in a zip (shown when the page can save a file). */
  readonly webm: HTMLButtonElement;
  readonly pngFrames: HTMLButtonElement;
  private paths: ReplayPath[] = [];
  private colours = new Map<string, string>();
  private k = 0;
  private end = 0;
  private playing = false;
  private lastTick = 0;
  /** Fractional steps carried between animation frames. */
  private carry = 0;
  private readonly listeners: ((k: number) => void)[] = [];
  /** Another picture of the replay to record while it is shown (the 3-D surface); undefined: the chart. */
  private capture?: () => FrameCanvas | undefined;

  constructor(private readonly source: ReplaySource) {
    registerChart().register(replayPlugin);
    this.button = el('button', { type: 'button', class: 'small', 'aria-label': 'Play the replay', text: '▶' });
    this.scrubber = el('input', { type: 'range', min: 0, max: 0, step: 1, value: 0, 'aria-label': 'Replay step', class: 'replay-step' });
    this.label = el('span', { class: 'replay-label muted', 'aria-live': 'off' });
    this.speed = el('select', { 'aria-label': 'Replay speed' }, ...SPEEDS.map((s) => el('option', { value: s, text: `${s}×`, selected: s === '1' })));
    const key = el('p', { class: 'replay-key', text: REPLAY_KEY });
    this.webm = el('button', { type: 'button', class: 'small', title: 'Save the replay as a WebM video', text: 'WebM', hidden: true });
    this.pngFrames = el('button', { type: 'button', class: 'small', title: 'Save the replay as PNG frames (a zip)', text: 'PNG frames', hidden: true });
    const row = el('div', { class: 'replay' }, this.button, this.scrubber, this.label, this.speed, this.webm, this.pngFrames);
    this.controls = el('div', { class: 'replay-box', hidden: true }, row, key);
    this.button.addEventListener('click', () => (this.playing ? this.pause() : this.play()));
    this.scrubber.addEventListener('input', () => {
      this.pause();
      this.seek(Number(this.scrubber.value));
    });
  }

  /** Runs or records changed: re-index the paths; at the end of the scrubber, follow the new end. */
  refresh(): void {
    const mode = this.source.mode();
    const runs = mode ? this.source.runs() : [];
    const following = this.k >= this.end;
    this.paths = runs.map(({ run }) => new ReplayPath(run)).filter((p) => p.lastStep >= 0);
    this.colours = new Map(runs.map(({ run, colour }) => [run.runId, colour]));
    this.end = replayEnd(this.paths);
    this.controls.hidden = this.paths.length === 0;
    if (following || this.k > this.end) this.k = this.end;
    this.scrubber.max = String(this.end);
    this.scrubber.value = String(this.k);
    this.updateOverlay();
  }

  /** Shows step k (clamped to the runs' steps) and redraws the chart. */
  seek(k: number): void {
    this.k = Math.max(0, Math.min(this.end, Math.round(k)));
    this.scrubber.value = String(this.k);
    this.updateOverlay();
    this.source.chart().draw();
    for (const f of this.listeners) f(this.k);
  }

  play(): void {
    if (this.paths.length === 0) return;
    if (this.k >= this.end) this.seek(0);
    this.playing = true;
    this.button.textContent = '⏸';
    this.button.setAttribute('aria-label', 'Pause the replay');
    this.lastTick = performance.now();
    this.carry = 0;
    requestAnimationFrame((t) => this.tick(t));
  }

  pause(): void {
    this.playing = false;
    this.button.textContent = '▶';
    this.button.setAttribute('aria-label', 'Play the replay');
  }

  get step(): number {
    return this.k;
  }

  get lastStep(): number {
    return this.end;
  }

  /** Each run's frame at the current step (what is drawn). */
  frames(): ReplayFrame[] {
    return this.paths.map((p) => p.frameAt(this.k)).filter((f): f is ReplayFrame => f !== undefined);
  }

  /** Called after every seek (the exporter records frames). */
  onSeek(listener: (k: number) => void): void {
    this.listeners.push(listener);
  }

  /** Exports record `source`'s picture whenever it offers one (the 3-D surface while shown). */
  captureFrom(source: () => FrameCanvas | undefined): void {
    this.capture = source;
  }

  /** What an export records now: the offered picture, else the chart's canvas (drawn by seek). */
  frameCanvas(chart: Chart): FrameCanvas {
    return this.capture?.() ?? { canvas: chart.canvas, render: () => undefined };
  }

  private tick(now: number): void {
    if (!this.playing) return;
    const perSecond = (Math.max(5, this.end / SECONDS_AT_1X)) * Number(this.speed.value);
    this.carry += ((now - this.lastTick) / 1000) * perSecond;
    this.lastTick = now;
    const advance = Math.floor(this.carry);
    if (advance > 0) {
      this.carry -= advance;
      this.seek(this.k + advance);
    }
    // At the end: stop, and follow live runs from there (refresh keeps k at the end).
    if (this.k >= this.end) this.pause();
    else requestAnimationFrame((t) => this.tick(t));
  }

  private updateOverlay(): void {
    const mode = this.source.mode();
    this.label.textContent = `step ${this.k} / ${this.end}`;
    const chart = this.source.chart();
    if (!mode || this.paths.length === 0) {
      setOverlay(chart, undefined);
      return;
    }
    const runs = this.frames().map((frame) => ({ frame, colour: this.colours.get(frame.runId) ?? '#888' }));
    const curveRun = this.paths.find((p) => p.run.landscape?.kind === 'curve')?.run.landscape;
    setOverlay(chart, { mode, runs, theme: this.source.theme(), ...(curveRun ? { slopeAt: slopeOf(curveRun) } : {}) });
  }
}

/** The loss's slope at x from a 1-D landscape grid (central difference at the nearest interior point). */
export function slopeOf(grid: Landscape): (x: number) => number | undefined {
  const xs = grid.xs, ys = grid.values[0] ?? [];
  return (x) => {
    if (xs.length < 3) return undefined;
    const h = (xs[xs.length - 1] - xs[0]) / (xs.length - 1);
    const i = Math.max(1, Math.min(xs.length - 2, Math.round((x - xs[0]) / h)));
    const a = ys[i - 1], b = ys[i + 1];
    return a === null || b === null || a === undefined || b === undefined ? undefined : (b - a) / (xs[i + 1] - xs[i - 1]);
  };
}
