/**
 * The run table: colour, show/hide, optimizer, hyperparameters, final loss,
 * speed, status, rate, actions. A run's label is a toggle that selects it (the
 * lr slider and "repeat" then act on it); a seed group is one row whose label
 * expands its members.
 */
import { runStatus } from '../src/protocol/runHistory';
import type { RunSnapshot } from '../src/protocol/webview';
import { formatNumber } from './charts/buildSeries';
import type { DashboardModel } from './dashboardModel';
import { el } from './dom';
import type { UiState } from './uiState';

export interface RunRow {
  run: RunSnapshot;
  ghost: boolean;
  colour: string;
  hidden: boolean;
  rate: string;
  label: string;
  selected?: boolean;
  /** Shown under its (expanded) group row. */
  member?: boolean;
}

export interface GroupRow {
  group: string;
  members: RunRow[];
  colour: string;
  hidden: boolean;
  expanded: boolean;
  label: string;
}

export type TableRow = RunRow | GroupRow;

export interface RunTableActions {
  /** Show or hide a run or a whole group (by its id). */
  toggle(id: string, visible: boolean): void;
  copy(run: RunSnapshot, what: 'cli' | 'torch' | 'replay'): void;
  stop(runId: string): void;
  select(runId: string): void;
  expand(group: string, open: boolean): void;
}

export function statusText(run: RunSnapshot): string {
  const s = runStatus(run);
  switch (s.kind) {
    case 'waiting': return 'waiting';
    case 'running': return `running (${run.steps.length} steps)`;
    case 'done': return s.status === 'completed' ? 'done' : s.status;
    case 'diverged': return `diverged at step ${s.step}`;
    case 'error': return `error: ${s.message}`;
  }
}

function stepsPerSecond(run: RunSnapshot): number | undefined {
  if (run.done) return run.done.stepsPerSecond;
  const last = run.steps[run.steps.length - 1];
  return last && last.wallMs > 0 ? (run.steps.length * 1000) / last.wallMs : undefined;
}

/** What the steps/s cell's tooltip says about how the steps ran (compiled plain JS, or TensorFlow.js and why not). */
export function speedTitle(run: RunSnapshot): string {
  const compute = run.meta?.compute;
  if (compute?.path === 'compiled') {
    const products = [
      compute.fusedMultiplyAdd ? 'with fused multiply-adds' : '',
      (compute.threads ?? 1) > 1 ? `on ${compute.threads} threads` : '',
    ].filter(Boolean).join(' ');
    return `compiled to plain JS${compute.simd ? ' and WebAssembly SIMD' : ''}: the whole loop ran on plain arrays${products ? `, large matrix products ${products}` : ''}`;
  }
  const backend = run.meta ? `TensorFlow.js (${run.meta.backend})` : 'TensorFlow.js';
  return compute?.reason ? `${backend}; not compiled: ${compute.reason}` : backend;
}

/** The final loss cell's tooltip when the run's losses are not where its gradients are (schedule-free: at x). */
export function lossAtTitle(run: RunSnapshot): string | undefined {
  const lossAt = run.meta?.lossAt;
  return lossAt ? `losses and final parameters at the ${lossAt}` : undefined;
}

/** The final loss; marked 'at x' with a tooltip when the run's losses are at the optimizer's evaluation point. */
function finalLossCell(run: RunSnapshot, last: number | undefined): HTMLElement {
  const text = last === undefined ? '–' : formatNumber(last);
  const title = lossAtTitle(run);
  if (!title) return el('td', { class: 'num', text });
  return el('td', { class: 'num loss-at', title }, text, el('span', { class: 'muted', text: ' at x' }));
}

function hpText(run: RunSnapshot): string {
  const hp = run.meta?.optimizer.hp ?? {};
  return Object.entries(hp).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`).join(' ');
}

/** "0.0123 ± 0.002" (mean ± std of the members' last loss). */
function meanStd(values: number[]): string {
  if (values.length === 0) return '–';
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  return `${formatNumber(mean)} ± ${formatNumber(std)}`;
}

function groupStatus(members: readonly RunRow[]): string {
  const kinds = members.map((m) => runStatus(m.run).kind);
  const n = members.length;
  const finished = kinds.filter((k) => k === 'done').length;
  const bad = kinds.filter((k) => k === 'diverged' || k === 'error').length;
  const running = kinds.filter((k) => k === 'running' || k === 'waiting').length;
  const parts = [running > 0 ? `running (${finished}/${n} done)` : `done (${finished}/${n})`];
  if (bad > 0) parts.push(`${bad} diverged or failed`);
  return parts.join(', ');
}

function groupRow(g: GroupRow, interactive: boolean, actions: RunTableActions): HTMLElement {
  const box = el('input', { type: 'checkbox', checked: !g.hidden, 'aria-label': `show ${g.label}`, 'data-run': g.group });
  box.addEventListener('change', () => actions.toggle(g.group, box.checked));
  const swatch = el('span', { class: 'swatch band', 'aria-hidden': 'true' });
  swatch.style.setProperty('--swatch', g.colour);
  const expand = el('button', {
    type: 'button', class: 'link expand', 'aria-expanded': String(g.expanded), 'data-expand': g.group,
    title: g.expanded ? 'Hide the seeds' : 'Show each seed', text: `${g.expanded ? '▾' : '▸'} ${g.label}`,
  });
  expand.addEventListener('click', () => actions.expand(g.group, !g.expanded));
  const last = g.members.map((m) => m.run.done?.final.loss ?? m.run.steps[m.run.steps.length - 1]?.loss).filter((v): v is number => Number.isFinite(v));
  const speeds = g.members.map((m) => stepsPerSecond(m.run)).filter((v): v is number => v !== undefined);
  const status = groupStatus(g.members);
  const cells = el('td', { class: 'actions' });
  if (interactive && status.startsWith('running')) {
    const stop = el('button', { type: 'button', class: 'small', title: 'Stop every seed of this group', text: 'stop' });
    stop.addEventListener('click', () => g.members.forEach((m) => actions.stop(m.run.runId)));
    cells.append(stop);
  }
  return el('tr', { class: 'group-row', 'data-group': g.group },
    el('td', {}, box, swatch),
    el('td', {}, expand),
    el('td', { class: 'hp', text: g.members[0] ? hpText(g.members[0].run) : '' }),
    el('td', { class: 'num', text: meanStd(last), title: 'mean ± std over the seeds' }),
    el('td', { class: 'num', text: speeds.length ? Math.round(speeds.reduce((a, b) => a + b, 0) / speeds.length).toLocaleString('en-US') : '–' }),
    el('td', { class: status.includes('diverged') ? 'status bad' : 'status', text: status, title: status }),
    el('td', { text: 'band: min–max' }),
    cells);
}

export function renderRunTable(host: HTMLElement, rows: readonly TableRow[], interactive: boolean, actions: RunTableActions): void {
  if (rows.length === 0) {
    host.replaceChildren(el('p', { class: 'muted empty', text: 'No runs yet. Choose an optimizer and press Run.' }));
    return;
  }
  const head = el('tr', {}, ...['show', 'run', 'hyperparameters', 'final loss', 'steps/s', 'status', 'rate', ''].map((h) => el('th', { scope: 'col', text: h })));
  const body = el('tbody');
  const runRow = (r: RunRow) => {
    const label = r.label;
    const box = el('input', { type: 'checkbox', checked: !r.hidden, 'aria-label': `show ${label}`, 'data-run': r.run.runId });
    box.addEventListener('change', () => actions.toggle(r.run.runId, box.checked));
    const swatch = el('span', { class: r.ghost ? 'swatch ghost' : 'swatch', 'aria-hidden': 'true' });
    swatch.style.setProperty('--swatch', r.colour);
    const last = r.run.done?.final.loss ?? r.run.steps[r.run.steps.length - 1]?.loss;
    const sps = stepsPerSecond(r.run);
    const status = statusText(r.run);
    const cells = el('td', { class: 'actions' });
    if (r.run.meta) {
      const cli = el('button', { type: 'button', class: 'small', title: 'Copy as CLI command', text: 'CLI', 'data-copy': 'cli' });
      cli.addEventListener('click', () => actions.copy(r.run, 'cli'));
      const torch = el('button', { type: 'button', class: 'small', title: 'Copy as torch.optim snippet', text: 'torch', 'data-copy': 'torch' });
      torch.addEventListener('click', () => actions.copy(r.run, 'torch'));
      const share = el('button', { type: 'button', class: 'small', title: 'Copy the replay record (a link holding the objective\'s hash, settings, seed, backend)', text: 'share', 'data-copy': 'replay' });
      share.addEventListener('click', () => actions.copy(r.run, 'replay'));
      cells.append(cli, torch, share);
    }
    if (interactive && !r.ghost && status.startsWith('running')) {
      const stop = el('button', { type: 'button', class: 'small', title: 'Stop this run', text: 'stop' });
      stop.addEventListener('click', () => actions.stop(r.run.runId));
      cells.append(stop);
    }
    const statusClass = status.startsWith('error') || status.startsWith('diverged') ? 'status bad' : 'status';
    const name = r.member ? `seed ${r.run.meta?.seed ?? '?'}` : r.ghost ? `${label} (previous)` : label;
    const nameCell = el('td', r.member ? { class: 'member' } : {});
    if (r.ghost) nameCell.textContent = name;
    else {
      const pick = el('button', {
        type: 'button', class: 'link select', 'aria-pressed': String(r.selected === true), 'data-select': r.run.runId,
        title: r.selected ? 'Selected: the lr slider and Repeat act on this run (click to clear)' : 'Select: the lr slider and Repeat act on this run', text: name,
      });
      pick.addEventListener('click', () => actions.select(r.run.runId));
      nameCell.append(pick);
    }
    const classes = [r.ghost ? 'ghost-row' : '', r.member ? 'member-row' : '', r.selected ? 'selected' : ''].filter(Boolean).join(' ');
    body.append(el('tr', { class: classes, 'data-run': r.run.runId, ...(r.selected ? { 'aria-selected': 'true' } : {}) },
      el('td', {}, box, swatch),
      nameCell,
      el('td', { class: 'hp', text: hpText(r.run) }),
      finalLossCell(r.run, last),
      el('td', { class: 'num', text: sps === undefined ? '–' : Math.round(sps).toLocaleString('en-US'), title: speedTitle(r.run) }),
      el('td', { class: statusClass, text: status, title: status }),
      el('td', { text: r.rate }),
      cells));
  };
  for (const r of rows) {
    if ('group' in r) {
      body.append(groupRow(r, interactive, actions));
      if (r.expanded) r.members.forEach(runRow);
    } else runRow(r);
  }
  host.replaceChildren(el('table', { class: 'runs' }, el('thead', {}, head), body));
}

/** How a row looks: its colour, convergence rate and label, and a seed group's colour and label. */
export interface RowLook {
  colour(run: RunSnapshot, ghost: boolean): string;
  rate(run: RunSnapshot): string;
  label(run: RunSnapshot): string;
  groupColour(members: readonly RunSnapshot[]): string;
  groupLabel(members: readonly RunSnapshot[]): string;
}

/** The table's rows in run order: single runs, seed groups (two or more members) as one row, then ghosts. */
export function tableRows(model: DashboardModel, ui: UiState, look: RowLook): TableRow[] {
  const hidden = new Set(ui.hidden);
  const rows: TableRow[] = [];
  const groups = model.groups();
  const row = (run: RunSnapshot, ghost: boolean): RunRow => ({
    run, ghost, colour: look.colour(run, ghost), hidden: hidden.has(run.runId), rate: ghost ? '–' : look.rate(run),
    label: look.label(run), selected: !ghost && run.runId === ui.selected, member: !ghost && run.group !== undefined && (groups.get(run.group)?.length ?? 0) > 1,
  });
  const shown = new Set<string>();
  for (const run of model.runs.values()) {
    const members = run.group !== undefined ? groups.get(run.group) ?? [] : [];
    if (members.length < 2) rows.push(row(run, false));
    else if (!shown.has(run.group as string)) {
      shown.add(run.group as string);
      rows.push({
        group: run.group as string, members: members.map((m) => row(m, false)), colour: look.groupColour(members),
        hidden: hidden.has(run.group as string), expanded: ui.expanded.includes(run.group as string), label: look.groupLabel(members),
      });
    }
  }
  if (ui.showGhosts) for (const run of model.ghosts) rows.push(row(run, true));
  return rows;
}

/** A selector for the control that has focus in the table, so a re-render can give focus back to it. */
export function focusSelector(node: HTMLElement): string | undefined {
  const row = node.closest('tr')?.getAttribute('data-run');
  if (!row) return undefined;
  const copy = node.getAttribute('data-copy');
  const tag = node.tagName.toLowerCase();
  return `tr[data-run="${CSS.escape(row)}"] ${tag}${copy ? `[data-copy="${copy}"]` : ''}`;
}
