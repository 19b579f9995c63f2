/** The run table: colour, show/hide, optimizer, hyperparameters, final loss, speed, status, rate, actions. */
import { runStatus } from '../src/protocol/runHistory';
import type { RunSnapshot } from '../src/protocol/webview';
import { formatNumber, runLabel } from './charts/buildSeries';
import { el } from './dom';

export interface RunRow {
  run: RunSnapshot;
  ghost: boolean;
  colour: string;
  hidden: boolean;
  rate: string;
}

export interface RunTableActions {
  toggle(runId: string, visible: boolean): void;
  copy(run: RunSnapshot, what: 'cli' | 'torch'): void;
  stop(runId: string): void;
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

function hpText(run: RunSnapshot): string {
  const hp = run.meta?.optimizer.hp ?? {};
  return Object.entries(hp).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`).join(' ');
}

export function renderRunTable(host: HTMLElement, rows: readonly RunRow[], interactive: boolean, actions: RunTableActions): void {
  if (rows.length === 0) {
    host.replaceChildren(el('p', { class: 'muted empty', text: 'No runs yet. Choose an optimizer and press Run.' }));
    return;
  }
  const head = el('tr', {}, ...['show', 'run', 'hyperparameters', 'final loss', 'steps/s', 'status', 'rate', ''].map((h) => el('th', { scope: 'col', text: h })));
  const body = el('tbody');
  for (const r of rows) {
    const label = runLabel(r.run);
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
      cells.append(cli, torch);
    }
    if (interactive && !r.ghost && status.startsWith('running')) {
      const stop = el('button', { type: 'button', class: 'small', title: 'Stop this run', text: 'stop' });
      stop.addEventListener('click', () => actions.stop(r.run.runId));
      cells.append(stop);
    }
    const statusClass = status.startsWith('error') || status.startsWith('diverged') ? 'status bad' : 'status';
    body.append(el('tr', { class: r.ghost ? 'ghost-row' : '', 'data-run': r.run.runId },
      el('td', {}, box, swatch),
      el('td', { text: r.ghost ? `${label} (previous)` : label }),
      el('td', { class: 'hp', text: hpText(r.run) }),
      el('td', { class: 'num', text: last === undefined ? '–' : formatNumber(last) }),
      el('td', { class: 'num', text: sps === undefined ? '–' : Math.round(sps).toLocaleString('en-US') }),
      el('td', { class: statusClass, text: status, title: status }),
      el('td', { text: r.rate }),
      cells));
  }
  host.replaceChildren(el('table', { class: 'runs' }, el('thead', {}, head), body));
}
