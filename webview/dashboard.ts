/**
 * The dashboard: validates every host message, folds it into the model, and
 * once per animation frame appends the new points to the charts (rebuilding
 * datasets only when runs come or go or a view setting changes).
 */
import { hostToWebviewSchema, type RunSnapshot } from '../src/protocol/webview';
import { renderBanner } from './bannerView';
import { labelScope, runLabel, type SeriesContext } from './charts/buildSeries';
import type { Series } from './charts/series';
import { type ChartSpec, SeriesChart } from './charts/seriesChart';
import type { TrajectoryView } from './charts/trajectoryView';
import { type ChartCard, chartCard, type ChartKind } from './chartCards';
import { chartSeries } from './chartSeries';
import { chartSpec, lossIsLog, type SpecInputs } from './chartSpecs';
import { controlTargets } from './controlTargets';
import { type ControlTargets, renderRunControls, renderViewControls, showTargets } from './controls';
import { describeFit, fitConvergence } from './convergenceFit';
import { curvatureVerdicts } from './curvatureText';
import { spectrumAsk, updateDiagnosticsCards } from './diagnosticsCards';
import { DashboardModel } from './dashboardModel';
import { el } from './dom';
import { copyRun, exportPng, exportRuns } from './exports/exportActions';
import type { HostApi } from './hostApi';
import { lrMarkers } from './lrMarkers';
import { focusSelector, renderRunTable, tableRows } from './runTable';
import { readTheme, type Theme, watchTheme } from './theme';
import { defaultLrOf, optimizerOfValue } from './optimizerMenu';
import { restoreUiState, type UiState } from './uiState';
import { attachReplay, type Replay } from './replay/attachReplay';
import { attachZoom } from './charts/zoom';
import { LandscapeRequests } from './charts/landscapeRequests';

const KINDS: ChartKind[] = ['loss', 'grad', 'lr', 'curvature', 'edge', 'spectrum', 'trajectory'];

export interface DashboardStats {
  /** Milliseconds of work per animation frame that had something to do. */
  frames: number[];
  /** Rejected messages (also logged with console.error). */
  rejected: string[];
  renders: number;
  /** Milliseconds per chart redraw (all charts that changed). */
  renderMs: number[];
  /** Milliseconds spent validating and applying each host message. */
  receiveMs: number[];
}

export class Dashboard {
  readonly model = new DashboardModel();
  readonly ui: UiState;
  readonly stats: DashboardStats = { frames: [], rejected: [], renders: 0, renderMs: [], receiveMs: [] };
  readonly replay: Replay;
  readonly landscapes: LandscapeRequests;
  private theme: Theme;
  private readonly cards: Record<ChartKind, ChartCard>;
  private readonly charts: Record<ChartKind, SeriesChart>;
  private readonly specs = {} as Record<ChartKind, ChartSpec>;
  private readonly banner = el('div', { class: 'banner', role: 'alert', hidden: true });
  private readonly runControls = el('div');
  private readonly viewControls = el('div');
  private readonly table = el('section', { class: 'table', 'aria-label': 'runs' });
  private readonly live = el('div', { class: 'sr-status', role: 'status', 'aria-live': 'polite' });
  private readonly empty = el('p', { class: 'muted empty-charts', text: 'Waiting for a run…' });
  private fits: { runId: string; series: Series }[] = [];
  private frameRequested = false;
  private tableDirty = true;
  private lastTable = 0;
  private nextRenderAt = 0;
  private pendingRender = new Set<ChartKind>();

  constructor(root: HTMLElement, private readonly host: HostApi) {
    this.ui = restoreUiState(host.getState());
    this.theme = readTheme();
    this.cards = Object.fromEntries(KINDS.map((k) => [k, chartCard(k)])) as Record<ChartKind, ChartCard>;
    for (const k of KINDS) this.cards[k].png.addEventListener('click', () => this.say(exportPng(this.host, k, this.charts[k].chart)));
    const grid = el('div', { class: 'charts' }, this.empty, ...KINDS.map((k) => this.cards[k].root));
    root.append(el('main', { class: 'dashboard' }, this.banner, this.runControls, this.viewControls, grid, this.table, this.live));
    this.landscapes = new LandscapeRequests(this.cards.trajectory.root.querySelector('header') ?? this.cards.trajectory.root, { host, runs: () => this.visibleRuns(), rebuild: () => this.rebuild() });
    for (const k of KINDS) this.specs[k] = this.specFor(k);
    this.charts = Object.fromEntries(KINDS.map((k) => [k, new SeriesChart(this.cards[k].canvas, this.theme, this.specs[k])])) as Record<ChartKind, SeriesChart>;
    for (const k of KINDS) attachZoom(this.charts[k].chart, this.cards[k].root.querySelector('header') ?? this.cards[k].root, k === 'trajectory' ? (w) => this.landscapes.zoomSettled(w) : undefined);
    this.replay = this.landscapes.surface.follow(attachReplay(this.cards.trajectory, {
      chart: () => this.charts.trajectory.chart, theme: () => this.theme, say: (text) => this.say(text),
      save: (content, suggestedName, format) => this.host.post({ type: 'exportFile', format, suggestedName, content }),
      runs: () => this.visibleRuns().filter(({ ghost }) => !ghost).map(({ run }) => ({ run, colour: this.seriesContext(run, false).colour })),
    }), { ui: this.ui, save: () => this.saveState() });
    this.renderControls();
    this.rebuild();
    watchTheme(() => {
      this.theme = readTheme();
      this.rebuild();
      this.tableDirty = true;
      this.requestFrame();
    });
  }

  /** Entry point for every message from the host: validated whole or rejected whole. */
  receive(data: unknown): void {
    const t0 = performance.now();
    const parsed = hostToWebviewSchema.safeParse(data);
    if (!parsed.success) {
      const text = this.model.rejected(parsed.error.issues[0]);
      console.error(text);
      this.stats.rejected.push(text);
    } else if (parsed.data.type === 'landscapeWindow' || parsed.data.type === 'pathSlice' || parsed.data.type === 'interpolation') this.landscapes.receive(parsed.data);
    else {
      const type = parsed.data.type;
      this.model.apply(parsed.data);
      if (type === 'snapshot') this.applyDefaults();
      // The optimizer menu lists the workspace's rules, the schedule field its schedule functions: they follow changes.
      if (type === 'snapshot' || type === 'rules' || type === 'schedules') this.renderControls();
      this.requestFrame();
      this.stats.receiveMs.push(performance.now() - t0);
    }
    // A missed message: `ready` again, which the host answers with its full state.
    if (this.model.takeSnapshotRequest() && this.host.inEditor) this.host.post({ type: 'ready' });
  }

  /** Full point counts per chart and series (what arrived, before decimation). */
  counts(): Record<ChartKind, Record<string, number>> {
    return Object.fromEntries(KINDS.map((k) => [k, this.charts[k].counts()])) as Record<ChartKind, Record<string, number>>;
  }

  chart(kind: ChartKind): SeriesChart {
    return this.charts[kind];
  }

  private requestFrame(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => this.frame());
  }

  private frame(): void {
    this.frameRequested = false;
    const t0 = performance.now();
    const ch = this.model.takeChanges();
    // A seed group's mean and band are pulled when any of its members grew.
    for (const id of [...ch.runs]) {
      const group = this.model.runs.get(id)?.group;
      if (group !== undefined) ch.runs.add(group);
    }
    if (ch.banner) renderBanner(this.banner, this.model.banner);
    if (ch.structure) {
      this.rebuild();
      this.tableDirty = true;
    } else if (ch.runs.size > 0) {
      for (const k of KINDS) if (this.charts[k].pull(ch.runs)) this.pendingRender.add(k);
      this.refreshCeilings();
      this.replay.refresh();
    }
    if (ch.table) {
      this.tableDirty = true;
      this.updateMarkers();
      // Run state changed (started, done): the lr target and Repeat follow it, in place (the slider may be held).
      this.updateTargets();
    }
    // Drawing 4 × 100k points costs: keep chart redraws to a fraction of the time.
    if (this.pendingRender.size > 0) {
      if (t0 >= this.nextRenderAt) {
        if (this.ui.logLog) this.updateFits();
        const r0 = performance.now();
        for (const k of this.pendingRender) this.charts[k].render();
        this.pendingRender.clear();
        this.stats.renders++;
        const cost = performance.now() - r0;
        this.stats.renderMs.push(cost);
        this.nextRenderAt = performance.now() + 2 * cost;
      } else {
        this.requestFrame();
      }
    }
    if (this.tableDirty) {
      if (t0 - this.lastTable > 250) {
        this.renderTable();
        this.lastTable = t0;
        this.tableDirty = false;
      } else {
        this.requestFrame();
      }
    }
    if (ch.structure || ch.runs.size > 0 || ch.table || ch.banner) this.stats.frames.push(performance.now() - t0);
  }

  private visibleRuns(): { run: RunSnapshot; ghost: boolean }[] {
    return this.model.visible(this.ui.hidden, this.ui.showGhosts);
  }

  private colour(runId: string): string {
    const p = this.theme.palette;
    return p[this.model.colourIndex(runId) % p.length];
  }

  /** Recreates every chart's datasets from the model (runs added/removed, settings, theme). */
  private rebuild(): void {
    const built = chartSeries(this.visibleRuns(), this.model.groups(), {
      ui: this.ui, theme: this.theme, context: (run, ghost) => this.seriesContext(run, ghost), groupLabel: (members) => this.groupLabel(members),
    });
    const series = built.series;
    this.fits = built.fits;
    const trajectory = this.trajectory();
    series.trajectory = trajectory.series;
    this.cards.trajectory.caption.textContent = trajectory.caption;
    this.cards.trajectory.note.hidden = trajectory.note === undefined;
    this.cards.trajectory.note.textContent = trajectory.note ?? '';
    this.cards.trajectory.root.dataset.mode = trajectory.mode;
    for (const k of KINDS) {
      this.specs[k] = this.specFor(k);
      this.charts[k].setSeries(series[k], this.theme, this.specs[k]);
    }
    if (this.ui.logLog) this.updateFits();
    this.updateMarkers();
    for (const k of KINDS) this.charts[k].render();
    this.pendingRender.clear();
    this.updateNotes();
    const anyRun = this.model.runs.size > 0 || this.model.ghosts.length > 0;
    this.empty.hidden = anyRun;
    this.cards.trajectory.root.hidden = series.trajectory.length === 0;
    this.replay.refresh();
  }

  /** The ceilings depend on the first records, which may arrive after the datasets were built. */
  private refreshCeilings(): void {
    for (const k of ['loss', 'grad'] as const) {
      if (this.charts[k].setCap(this.specFor(k).y.cap)) this.pendingRender.add(k);
    }
  }

  private specFor(kind: ChartKind): ChartSpec {
    return chartSpec(kind, this.specInputs());
  }

  private specInputs(): SpecInputs {
    return { ui: this.ui, theme: this.theme, model: this.model, visible: () => this.visibleRuns(), trajectory: () => this.trajectory() };
  }

  private trajectory(): TrajectoryView {
    return this.landscapes.view(this.visibleRuns(), (run, ghost) => this.seriesContext(run, ghost), (run) => this.label(run), this.theme);
  }

  private seriesContext(run: RunSnapshot, ghost: boolean): SeriesContext {
    const scope = labelScope(run, [...this.model.runs.values(), ...(this.ui.showGhosts ? this.model.ghosts : [])]);
    // A seed group's members share its first member's colour.
    const group = run.group !== undefined ? this.model.groups().get(run.group)?.[0] : undefined;
    return { ui: this.ui, theme: this.theme, colour: this.colour(group?.runId ?? run.runId), ghost, ...scope, logLoss: lossIsLog(this.specInputs()) };
  }

  private label(run: RunSnapshot): string {
    return runLabel(run, labelScope(run, [...this.model.runs.values(), ...(this.ui.showGhosts ? this.model.ghosts : [])]));
  }

  private groupLabel(members: readonly RunSnapshot[]): string {
    return `${runLabel(members[0], { ...this.seriesContext(members[0], false), namesSeed: false })} × ${members.length} seeds`;
  }

  /** The settings' control values, until the user changes a control. */
  private applyDefaults(): void {
    const d = this.model.defaults;
    if (!d || this.ui.controlsChanged) return;
    const c = this.ui.controls;
    c.optimizer = d.optimizer;
    c.lr = d.lr ?? defaultLrOf(d.optimizer, this.model.optimizers, this.model.rules) ?? c.lr;
    c.schedule = d.schedule;
    c.steps = d.steps;
  }

  /** The selected run, if it is still among the current runs. */
  private selectedRun(): RunSnapshot | undefined {
    return this.ui.selected !== undefined ? this.model.runs.get(this.ui.selected) : undefined;
  }

  private updateTargets(): void {
    showTargets(this.runControls, this.targets());
  }

  private targets(): ControlTargets {
    return controlTargets(this.model, this.selectedRun(), (run) => this.label(run));
  }

  private updateMarkers(): void {
    const runs = this.visibleRuns().filter(({ ghost }) => !ghost).map(({ run }) => run);
    const colour = (run: RunSnapshot) => this.colour(run.runId);
    const chosen = lrMarkers(runs, 'chosen', this.ui, colour);
    const steps = lrMarkers(runs, 'steps', this.ui, colour);
    if (this.charts.loss.setMarkers(chosen)) this.pendingRender.add('loss');
    if (this.charts.grad.setMarkers(chosen)) this.pendingRender.add('grad');
    if (this.charts.lr.setMarkers(steps)) this.pendingRender.add('lr');
    if (this.charts.curvature.setMarkers(steps)) this.pendingRender.add('curvature');
  }

  /** Refits the convergence rate of each run on its plotted (smoothed) loss. */
  private updateFits(): void {
    const loss = this.charts.loss.seriesList();
    for (const f of this.fits) {
      const own = loss.find((s) => s.runId === f.runId && !s.ghost && s.key.endsWith(':loss'));
      const fit = own ? fitConvergence(own.points) : undefined;
      f.series.points.length = 0;
      if (fit) f.series.points.push(fit.from, fit.to);
      this.charts.loss.touch(f.series);
    }
  }

  private fitText(run: RunSnapshot): string {
    const own = this.charts.loss.seriesList().find((s) => s.runId === run.runId && s.key.endsWith(':loss'));
    const bad = run.error !== undefined || run.done?.status === 'diverged';
    return own && !bad ? describeFit(fitConvergence(own.points)) : '–';
  }

  private updateNotes(): void {
    const verdicts = curvatureVerdicts(this.model.runs.values(), (run) => this.label(run));
    const note = this.cards.curvature.note;
    const empty = !this.charts.curvature.seriesList().some((s) => s.points.length > 0);
    const finished = this.model.runs.size > 0 && [...this.model.runs.values()].every((r) => r.done !== undefined || r.error !== undefined);
    // A finished run without samples: say why instead of drawing empty axes.
    if (empty && finished) verdicts.push('No curvature samples: curvature sampling was off for these runs.');
    note.hidden = verdicts.length === 0;
    note.textContent = verdicts.join(' · ');
    this.cards.curvature.root.classList.toggle('empty', empty && finished);
    const shown = this.visibleRuns().filter(({ ghost }) => !ghost).map(({ run }) => run);
    for (const k of updateDiagnosticsCards(this.cards, this.charts, shown, (run) => this.label(run), (run) => this.colour(run.runId))) this.pendingRender.add(k);
  }

  private renderTable(): void {
    const rows = tableRows(this.model, this.ui, {
      colour: (run, ghost) => this.seriesContext(run, ghost).colour, rate: (run) => this.fitText(run), label: (run) => this.label(run),
      groupColour: (members) => this.colour(members[0].runId), groupLabel: (members) => this.groupLabel(members),
    });
    // Keep keyboard focus on the same control across re-renders.
    const active = document.activeElement as HTMLElement | null;
    const focusKey = active && this.table.contains(active) ? focusSelector(active) : undefined;
    renderRunTable(this.table, rows, this.model.interactive, {
      toggle: (runId, visible) => {
        this.ui.hidden = visible ? this.ui.hidden.filter((h) => h !== runId) : [...this.ui.hidden, runId];
        this.saveState();
        this.rebuild();
      },
      copy: (run, what) => this.say(copyRun(this.host, this.model, run, what)),
      stop: (runId) => this.host.post({ type: 'stop', runId }),
      select: (runId) => {
        this.ui.selected = this.ui.selected === runId ? undefined : runId;
        this.saveState();
        this.updateTargets();
        this.renderTable();
        const sel = this.selectedRun();
        this.say(sel ? `selected ${this.label(sel)}: the lr slider and Repeat act on it` : 'selection cleared: the lr slider acts on every running run');
      },
      expand: (group, open) => {
        this.ui.expanded = open ? [...this.ui.expanded, group] : this.ui.expanded.filter((g) => g !== group);
        this.saveState();
        this.renderTable();
      },
    });
    if (focusKey) (this.table.querySelector(focusKey) as HTMLElement | null)?.focus();
    this.updateNotes();
  }

  private renderControls(): void {
    const actions = {
      run: (compare: boolean) => {
        const c = this.ui.controls;
        // A workspace rule asks for its name and file; the host adds the file's unsaved text.
        const ask = { optimizer: { ...optimizerOfValue(c.optimizer), lr: c.lr, hp: {} }, steps: c.steps, ...(c.schedule ? { schedule: c.schedule } : {}), ...spectrumAsk() };
        this.host.post(compare ? { type: 'compare', ask } : { type: 'run', ask });
      },
      stop: () => this.host.post({ type: 'stop' }), findLr: () => this.host.post({ type: 'findLr', optimizer: optimizerOfValue(this.ui.controls.optimizer) }), sweepAsks: { host: this.host, runs: () => this.model.runs.values() },
      lrCommitted: (lr: number) => {
        // The selected run only; without a selection, every running run.
        const sel = this.selectedRun();
        const targets = sel ? [sel] : [...this.model.runs.values()];
        for (const run of targets) if (this.model.isRunning(run)) this.host.post({ type: 'setLr', runId: run.runId, lr });
      },
      repeat: () => {
        const from = this.selectedRun() ?? [...this.model.runs.values()].filter((r) => r.meta).pop();
        if (!from) return;
        this.host.post({ type: 'repeat', runId: from.runId, seeds: this.ui.seeds });
        this.say(`repeating ${this.label(from)} with ${this.ui.seeds} seeds`);
      },
      viewChanged: () => {
        this.saveState();
        this.rebuild();
        this.tableDirty = true;
        this.requestFrame();
      },
      exportRuns: (format: 'csv' | 'json') => this.say(exportRuns(this.host, this.model, format)),
    };
    const hasMinimum = [...this.model.runs.values(), ...this.model.ghosts].some((r) => r.meta?.minimum !== undefined);
    this.runControls.replaceChildren(renderRunControls(this.ui, this.model.optimizers, actions, this.targets(), this.model.rules, this.model.schedules));
    this.runControls.hidden = !this.model.interactive;
    this.viewControls.replaceChildren(renderViewControls(this.ui, hasMinimum || this.model.runs.size === 0, actions));
  }

  private saveState(): void {
    this.host.setState({ ui: this.ui });
  }

  private say(text: string): void {
    this.live.textContent = text;
  }
}
