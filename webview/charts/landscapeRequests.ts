/**
 * The Trajectory card's requests for landscapes the runner computes on
 * demand (src/protocol/landscapeViews.ts): after a zoom or pan of a contour
 * (or 1-D curve) settles, the grid over the new window at full resolution;
 * from the slice selector of a run of more than two parameters, a PCA or
 * Hessian slice with every shown run's path projected; a zoom of any 2-D
 * slice asks for that plane's grid over the window. Only the answer to the
 * latest request is drawn; a warning leaves the current picture and says why.
 */
import type { InterpolationAnswer } from '../../src/protocol/interpolation';
import type { PathSlice, PathSliceMethod } from '../../src/protocol/pathSlice';
import type { SliceShown, WindowShown } from '../../src/protocol/landscapeViews';
import type { Landscape, RunSnapshot } from '../../src/protocol/webview';
import { el } from '../dom';
import type { HostApi } from '../hostApi';
import type { Theme } from '../theme';
import type { SeriesContext } from './buildSeries';
import { InterpolationCard } from './interpolationCard';
import { pathSliceView } from './pathSliceView';
import { SurfaceCard } from '../surface/surfaceCard';
import { trajectoryView, type TrajectoryMode, type TrajectoryView } from './trajectoryView';
import type { ZoomWindow } from './zoom';

export type SliceMethod = 'random' | PathSliceMethod;
type Visible = { run: RunSnapshot; ghost: boolean };

const METHODS: { value: SliceMethod; text: string }[] = [
  { value: 'random', text: 'random (filter-normalised)' },
  { value: 'pca', text: 'PCA of the path' },
  { value: 'hessian', text: 'top-2 Hessian eigenvectors' },
];

export interface LandscapeRequestsDeps {
  host: HostApi;
  /** The runs shown. */
  runs(): readonly Visible[];
  /** Redraws the card (a grid or slice arrived, or was dropped). */
  rebuild(): void;
}

export class LandscapeRequests {
  readonly selector: HTMLSelectElement;
  /** The contour | surface toggle and the 3-D view (webview/surface/). */
  readonly surface: SurfaceCard;
  /** The loss along the line between two runs' final points (or a run's start and end). */
  readonly interpolation: InterpolationCard;
  private readonly label: HTMLElement;
  /** The grid over the zoomed window, for the run whose contour or curve is drawn. */
  zoomed?: { runId: string; grid: Landscape };
  slice?: PathSlice;
  /** The PCA / Hessian slice as first drawn, while a zoomed window of it is shown (reset goes back to it). */
  private unzoomedSlice?: PathSlice;
  method: SliceMethod = 'random';
  private readonly latest: { landscapeWindow?: string; pathSlice?: string } = {};
  private next = 0;
  /** What the card is drawing (the selector shows for slices only). */
  private mode: TrajectoryMode = 'none';
  /** Why the last request drew nothing, or that one is being computed (the card's note). */
  private status = '';
  /** Answers drawn and answers ignored because a newer request was made (tests read them). */
  readonly counts = { drawn: 0, stale: 0 };

  constructor(header: HTMLElement, private readonly deps: LandscapeRequestsDeps) {
    this.selector = el('select', { 'aria-label': 'slice directions', title: 'Directions of the slice through a run of more than two parameters' });
    for (const m of METHODS) this.selector.append(el('option', { value: m.value, text: m.text }));
    this.selector.addEventListener('change', () => this.choose(this.selector.value as SliceMethod));
    this.label = el('label', { class: 'slice-select', hidden: true }, 'slice ', this.selector);
    header.insertBefore(this.label, header.querySelector('h2')?.nextSibling ?? null);
    this.surface = new SurfaceCard(header, header.parentElement?.querySelector('.plot') ?? null, () => this.deps.rebuild(),
      (content, suggestedName) => this.deps.host.post({ type: 'exportFile', format: 'png', suggestedName, content }));
    this.interpolation = new InterpolationCard(header.parentElement ?? header, deps.host);
  }

  /**
   * The Trajectory card: the chosen PCA or Hessian slice once it arrived, else the runs' own view with the
   * zoomed grid in place; the note says what is being computed or why a request drew nothing.
   */
  view(runs: readonly Visible[], ctxOf: (run: RunSnapshot, ghost: boolean) => SeriesContext, label: (run: RunSnapshot) => string, theme: Theme): TrajectoryView {
    const shown = runs.filter(({ ghost }) => !ghost).map(({ run }) => run);
    // A slice through runs no longer shown (a new Run replaced them) goes; the selector is back on random.
    if (this.slice && !shown.some((run) => run.runId === this.slice?.paths[0]?.runId)) {
      this.slice = this.unzoomedSlice = undefined;
      this.method = 'random';
      this.selector.value = 'random';
    }
    const slice = this.method === 'random' ? undefined : this.slice;
    const view = slice ? pathSliceView(slice, shown, (run) => ctxOf(run, false), label, theme) : trajectoryView(runs, ctxOf, theme, (id) => this.zoomedGrid(id));
    // Say when the grid under the paths is the zoomed window's, not the run's own.
    if (!slice && this.zoomed && runs.some(({ run }) => run.runId === this.zoomed?.runId)) view.caption += ' · grid recomputed for the zoomed window';
    this.mode = view.mode;
    this.interpolation.offer(view.mode === 'slice2d' || view.mode === 'slice1d' ? shown : [], label, theme);
    // The selector where it means something: a slice, with a runner to ask.
    this.label.hidden = !this.deps.host.inEditor || (view.mode !== 'slice2d' && view.mode !== 'slice1d');
    const note = [view.note, this.status].filter((t) => t).join(' · ');
    return this.surface.show({ ...view, ...(note ? { note } : {}) }, theme);
  }

  /** The run whose grid is drawn under the paths (the first shown run of 1 or 2 parameters with one). */
  private gridRun(): RunSnapshot | undefined {
    const drawn = this.deps.runs().filter(({ run }) => run.landscape?.kind === 'contour' || run.landscape?.kind === 'curve');
    const two = drawn.find(({ run }) => run.meta?.paramCount === 2) ?? drawn.find(({ run }) => run.meta?.paramCount === 1);
    return two?.run;
  }

  /** A zoom or pan settled on `w` (undefined: reset): ask for the grid over it. */
  zoomSettled(w: ZoomWindow | undefined): void {
    const mode = this.mode;
    if (this.slice && this.method !== 'random' && mode === 'slice2d') return this.zoomSlice(w);
    if (!w) {
      this.latest.landscapeWindow = undefined;
      if (this.method === 'random') this.latest.pathSlice = undefined;
      if (this.zoomed) {
        this.zoomed = undefined;
        this.deps.rebuild();
      }
      return;
    }
    if ((mode === 'slice2d' || mode === 'slice1d') && this.method === 'random') return this.zoomRandomSlice(w, mode);
    const run = this.gridRun();
    if (!this.deps.host.inEditor || !run || (mode !== 'contour' && mode !== 'curve')) return;
    const box: [number, number][] = mode === 'contour' ? [w.x, w.y] : [w.x];
    const requestId = `window-${++this.next}`;
    this.latest.landscapeWindow = requestId;
    this.deps.host.post({ type: 'landscapeWindow', requestId, runId: run.runId, box });
  }

  /** A zoom of the run's random slice (2-D, or 1-D along its first direction): the runner rebuilds its directions from the run's seed and evaluates the window. */
  private zoomRandomSlice(w: ZoomWindow, mode: 'slice2d' | 'slice1d'): void {
    const run = this.deps.runs().find(({ run, ghost }) => !ghost && run.landscape?.kind === mode)?.run;
    if (!this.deps.host.inEditor || !run) return;
    const requestId = `slice-${++this.next}`;
    this.latest.pathSlice = requestId;
    this.deps.host.post({ type: 'pathSlice', requestId, method: 'random', runIds: [run.runId], box: mode === 'slice2d' ? [w.x, w.y] : [w.x] });
  }

  /** A zoom of a PCA or Hessian slice: the same plane's grid over the window (undefined: back to the first one). */
  private zoomSlice(w: ZoomWindow | undefined): void {
    const slice = this.slice;
    if (!slice) return;
    if (!w) {
      this.latest.pathSlice = undefined;
      if (this.unzoomedSlice) [this.slice, this.unzoomedSlice] = [this.unzoomedSlice, undefined];
      this.deps.rebuild();
      return;
    }
    this.unzoomedSlice ??= slice;
    const requestId = `slice-${++this.next}`;
    this.latest.pathSlice = requestId;
    this.deps.host.post({ type: 'pathSlice', requestId, method: slice.method, runIds: slice.paths.map((p) => p.runId).slice(0, 16), box: [w.x, w.y] });
  }

  private choose(method: SliceMethod): void {
    this.method = method;
    this.slice = undefined;
    this.unzoomedSlice = undefined;
    if (method === 'random') {
      this.latest.pathSlice = undefined;
      this.setStatus('');
      this.deps.rebuild();
      return;
    }
    const runIds = this.deps.runs().filter(({ run, ghost }) => !ghost && (run.meta?.paramCount ?? 0) > 2 && run.done !== undefined).map(({ run }) => run.runId);
    if (runIds.length === 0) {
      this.setStatus('no finished run of more than two parameters to slice');
      this.deps.rebuild();
      return;
    }
    const requestId = `slice-${++this.next}`;
    this.latest.pathSlice = requestId;
    this.setStatus(`computing the ${method === 'pca' ? 'PCA' : 'Hessian'} slice…`);
    this.deps.host.post({ type: 'pathSlice', requestId, method, runIds: runIds.slice(0, 16) });
    this.deps.rebuild();
  }

  /** The host's answer: drawn when it answers the latest request; a warning keeps the current picture. */
  receive(m: WindowShown | SliceShown | InterpolationAnswer): void {
    if (m.type === 'interpolation') return this.interpolation.receive(m);
    if (this.latest[m.type] !== m.requestId) {
      this.counts.stale++;
      return;
    }
    this.latest[m.type] = undefined;
    // A warning keeps the current picture and says why.
    this.setStatus(m.warning ?? '');
    if (m.type === 'landscapeWindow' && m.grid) this.zoomed = { runId: m.runId, grid: m.grid };
    // The random slice's window is drawn over the run's own grid, as a contour's is.
    const randomRunId = m.type === 'pathSlice' && m.slice?.method === 'random' ? m.slice.paths[0]?.runId : undefined;
    if (m.type === 'pathSlice' && m.slice && randomRunId !== undefined) this.zoomed = { runId: randomRunId, grid: m.slice.grid };
    else if (m.type === 'pathSlice' && m.slice) this.slice = m.slice;
    if (m.warning === undefined) this.counts.drawn++;
    this.deps.rebuild();
  }

  private setStatus(text: string): void {
    this.status = text;
  }

  /** The zoomed grid, if it belongs to `runId`. */
  zoomedGrid(runId: string | undefined): Landscape | undefined {
    return this.zoomed && this.zoomed.runId === runId ? this.zoomed.grid : undefined;
  }

}
