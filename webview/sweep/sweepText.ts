/** The Sweep card's text: a one-line summary of the sweep and the settings of a chosen run. */
import type { SweepResult, SweepRun } from '../../src/protocol/sweep';
import { formatNumber } from '../charts/buildSeries';
import { el } from '../dom';
import { plottedLoss } from './sweepModel';

const pointText = (point: Readonly<Record<string, string>>): string => Object.entries(point).map(([k, v]) => `${k}=${v}`).join(' ');

/** "sgd on rosenbrock · grid, 8 runs of 50 steps · 2 without a finite loss · best: lr=… loss …". */
export function sweepSummary(result: SweepResult): string {
  const optimizer = result.optimizer.file ? `${result.optimizer.file}#${result.optimizer.id}` : result.optimizer.id;
  const bad = result.runs.filter((r) => plottedLoss(r) === null).length;
  const best = result.best ? `best: ${pointText(result.best.point)}, loss ${formatNumber(result.best.loss)}` : 'best: none (no run finished with a finite loss)';
  return [
    `${optimizer} on ${result.objective}`,
    `${result.mode}, ${result.runs.length} runs of ${result.steps} steps`,
    `${bad} diverged or without a finite loss`,
    best,
    'click a point or a cell for its run',
  ].join(' · ');
}

const hpText = (v: unknown): string => (typeof v === 'number' ? formatNumber(v) : Array.isArray(v) ? `[${v.map(hpText).join(', ')}]` : String(v));

/** The chosen run: swept values, status, final figures and every hyperparameter. */
export function runSettingsList(result: SweepResult, run: SweepRun): HTMLElement {
  const rows: [string, string][] = [
    ['run', `${pointText(run.point)} · seed ${run.seed} · trial ${run.trial}`],
    ['status', `${run.status}${run.message ? ` (${run.message})` : run.divergedAt !== undefined ? ` at step ${run.divergedAt}` : ''}`],
    ['final loss', run.final.loss === null ? 'not finite' : formatNumber(run.final.loss)],
    ['final ‖∇f‖', run.final.gradNorm === null ? 'not finite' : formatNumber(run.final.gradNorm)],
    ['steps', `${run.stepsDone} of ${result.steps}`],
    ['lr', formatNumber(run.lr)],
    ...Object.entries(run.hp).map(([k, v]): [string, string] => [k, hpText(v)]),
  ];
  return el('dl', { class: 'sweep-settings' }, ...rows.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v, 'data-field': k })]));
}
