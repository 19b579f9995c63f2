/**
 * Run controls (optimizer, lr on a log slider, schedule, steps; Run / Compare
 * / Stop) and view options (x-axis, scales, smoothing, ghosts, exports).
 */
import type { OptimizerOption, RuleOption, ScheduleOption } from '../src/protocol/webview';
import { el } from './dom';
import { fillOptimizerMenu } from './optimizerMenu';
import { findLrButton } from './lrFinder/findLrButton';
import { scheduleDatalist, scheduleTitle } from './scheduleList';
import { sweepButtons, type SweepAsker } from './sweep/sweepButtons';
import type { UiState, XAxis } from './uiState';

export interface ControlActions {
  run(compare: boolean): void;
  stop(): void;
  /** The lr slider was released (applies to running runs too). */
  lrCommitted(lr: number): void;
  viewChanged(): void;
  exportRuns(format: 'csv' | 'json'): void;
  /** Run the target run's configuration again with ui.seeds seeds. */
  repeat(): void;
  /** The lr range test with the menu's optimizer (webview/lrFinder/; absent: no button). */
  findLr?(): void;
  /** Compare (tuned) and Sweep lr… (webview/sweep/sweepButtons.ts; absent: no buttons). */
  sweepAsks?: SweepAsker;
}

/** Which runs the lr slider and "repeat" act on, in words (from the table's selection). */
export interface ControlTargets {
  /** e.g. "all running runs" or "adam lr=0.02". */
  lr: string;
  /** The run "repeat" starts from; undefined: no run yet. */
  repeat?: string;
}

const LR_MIN = -5;
const LR_MAX = 1;

export function repeatTitle(targets: ControlTargets): string {
  return targets.repeat ? `Run ${targets.repeat} again with seeds s … s+N−1 (drawn as mean and min–max band)` : 'Run something first';
}

/** Updates what the lr slider's and Repeat's labels say they act on, in controls already rendered. */
export function showTargets(root: HTMLElement, t: ControlTargets): void {
  const lr = root.querySelector('#ctl-lr-target');
  if (lr && lr.textContent !== `→ ${t.lr}`) {
    lr.textContent = `→ ${t.lr}`;
    lr.setAttribute('title', `The lr slider applies to ${t.lr}`);
  }
  const repeat = root.querySelector<HTMLButtonElement>('#ctl-repeat');
  if (repeat) {
    repeat.disabled = t.repeat === undefined;
    repeat.title = repeatTitle(t);
  }
}

export function formatLr(lr: number): string {
  return lr >= 0.01 && lr < 100 ? String(Number(lr.toPrecision(3))) : lr.toExponential(1);
}

export function renderRunControls(
  ui: UiState, optimizers: readonly OptimizerOption[], actions: ControlActions, targets: ControlTargets, rules: readonly RuleOption[] = [],
  schedules: readonly ScheduleOption[] = [],
): HTMLElement {
  const c = ui.controls;
  const changed = () => {
    ui.controlsChanged = true;
    actions.viewChanged();
  };
  const select = el('select', { id: 'ctl-optimizer', 'aria-label': 'optimizer' });
  fillOptimizerMenu(select, c.optimizer, optimizers, rules);
  select.addEventListener('change', () => {
    c.optimizer = select.value;
    select.title = select.selectedOptions[0]?.title ?? '';
    changed();
  });

  const lrOut = el('output', { id: 'ctl-lr-value', for: 'ctl-lr', text: formatLr(c.lr) });
  const lr = el('input', {
    id: 'ctl-lr', type: 'range', min: LR_MIN, max: LR_MAX, step: 0.05, value: Math.log10(c.lr).toFixed(2),
    'aria-label': 'learning rate (log scale)', 'aria-valuetext': formatLr(c.lr),
  });
  lr.addEventListener('input', () => {
    c.lr = Number((10 ** Number(lr.value)).toPrecision(3));
    lrOut.textContent = formatLr(c.lr);
    lr.setAttribute('aria-valuetext', formatLr(c.lr));
  });
  lr.addEventListener('change', () => {
    actions.lrCommitted(c.lr);
    changed();
  });

  const schedule = el('input', {
    id: 'ctl-schedule', type: 'text', value: c.schedule, placeholder: 'constant', 'aria-label': 'schedule', size: 16,
    list: 'ctl-schedule-list', title: scheduleTitle(schedules),
  });
  schedule.addEventListener('change', () => {
    c.schedule = schedule.value.trim();
    changed();
  });
  const steps = el('input', { id: 'ctl-steps', type: 'number', min: 1, step: 1, value: c.steps, 'aria-label': 'steps' });
  steps.addEventListener('change', () => {
    const n = Math.round(Number(steps.value));
    if (n > 0) c.steps = n;
    changed();
  });

  const run = el('button', { id: 'ctl-run', type: 'button', class: 'primary', title: 'Replace the current runs', text: 'Run' });
  run.addEventListener('click', () => actions.run(false));
  const compare = el('button', { id: 'ctl-compare', type: 'button', title: 'Add a run beside the current ones', text: 'Compare' });
  compare.addEventListener('click', () => actions.run(true));
  const stop = el('button', { id: 'ctl-stop', type: 'button', title: 'Stop every running run', text: 'Stop' });
  stop.addEventListener('click', () => actions.stop());
  const findLr = actions.findLr ? [findLrButton(actions.findLr)] : [];

  const lrTarget = el('span', { id: 'ctl-lr-target', class: 'muted target', text: `→ ${targets.lr}`, title: `The lr slider applies to ${targets.lr}` });
  lr.setAttribute('aria-describedby', 'ctl-lr-target');

  const seeds = el('input', { id: 'ctl-seeds', type: 'number', min: 2, max: 50, step: 1, value: ui.seeds, 'aria-label': 'number of seeds' });
  seeds.addEventListener('change', () => {
    const n = Math.round(Number(seeds.value));
    if (n >= 2 && n <= 50) ui.seeds = n;
    actions.viewChanged();
  });
  const repeat = el('button', {
    id: 'ctl-repeat', type: 'button', disabled: targets.repeat === undefined,
    title: repeatTitle(targets),
    text: 'Repeat',
  });
  repeat.addEventListener('click', () => actions.repeat());

  return el('section', { class: 'controls', 'aria-label': 'run controls' },
    field('optimizer', select), field('lr', lr, lrOut, lrTarget), field('schedule', schedule, scheduleDatalist('ctl-schedule-list', schedules)), field('steps', steps),
    el('div', { class: 'buttons' }, run, compare, ...findLr, ...(actions.sweepAsks ? sweepButtons(actions.sweepAsks, ui) : []), stop),
    field('seeds', seeds, repeat));
}

export function renderViewControls(ui: UiState, hasMinimum: boolean, actions: ControlActions): HTMLElement {
  const xAxis = el('select', { id: 'view-x', 'aria-label': 'x axis' });
  for (const [v, label] of [['steps', 'steps'], ['evals', 'evaluations'], ['wall', 'wall time'], ['lr', 'learning rate']] as const) {
    xAxis.append(el('option', { value: v, selected: ui.xAxis === v, text: label }));
  }
  xAxis.addEventListener('change', () => {
    ui.xAxis = xAxis.value as XAxis;
    actions.viewChanged();
  });
  const scale = el('select', { id: 'view-scale', 'aria-label': 'loss scale' });
  for (const v of ['log', 'linear'] as const) scale.append(el('option', { value: v, selected: ui.lossScale === v, text: v }));
  scale.addEventListener('change', () => {
    ui.lossScale = scale.value === 'linear' ? 'linear' : 'log';
    actions.viewChanged();
  });
  const check = (id: string, label: string, value: boolean, set: (v: boolean) => void, disabled = false) => {
    const box = el('input', { id, type: 'checkbox', checked: value, disabled });
    box.addEventListener('change', () => {
      set(box.checked);
      actions.viewChanged();
    });
    return el('label', { class: 'check' }, box, label);
  };
  const smoothOut = el('output', { id: 'view-smooth-value', text: ui.smoothing.toFixed(2) });
  const smooth = el('input', { id: 'view-smooth', type: 'range', min: 0, max: 0.99, step: 0.01, value: ui.smoothing, 'aria-label': 'EMA smoothing' });
  smooth.addEventListener('input', () => {
    smoothOut.textContent = Number(smooth.value).toFixed(2);
  });
  smooth.addEventListener('change', () => {
    ui.smoothing = Number(smooth.value);
    actions.viewChanged();
  });
  const csv = el('button', { id: 'export-csv', type: 'button', text: 'CSV' });
  csv.addEventListener('click', () => actions.exportRuns('csv'));
  const json = el('button', { id: 'export-json', type: 'button', text: 'JSON' });
  json.addEventListener('click', () => actions.exportRuns('json'));
  return el('section', { class: 'controls view', 'aria-label': 'view options' },
    field('x axis', xAxis), field('loss', scale),
    check('view-subopt', 'f − f*', ui.suboptimality, (v) => (ui.suboptimality = v), !hasMinimum),
    check('view-loglog', 'log-log + rate', ui.logLog, (v) => (ui.logLog = v)),
    field('smoothing', smooth, smoothOut),
    check('view-ghosts', 'ghosts', ui.showGhosts, (v) => (ui.showGhosts = v)),
    el('div', { class: 'buttons' }, el('span', { class: 'muted', text: 'export runs' }), csv, json));
}

function field(label: string, ...inputs: HTMLElement[]): HTMLElement {
  return el('label', { class: 'field' }, el('span', { text: label }), ...inputs);
}
