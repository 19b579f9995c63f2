/** The status bar's text for a running run: objective, optimizer, step/total and loss. */
import type { RunSnapshot } from '../protocol/webview';
import { formatNumber } from './lensTitles';

export function statusText(run: RunSnapshot, totalSteps: number): string {
  const name = run.meta?.objective ?? 'objective';
  const optimizer = run.meta?.optimizer.id;
  const last = run.steps[run.steps.length - 1];
  const step = last ? last.step + 1 : 0;
  const loss = last ? ` · loss ${formatNumber(last.loss)}` : '';
  return `$(sync~spin) ${name}${optimizer ? ` · ${optimizer}` : ''} ${step}/${totalSteps}${loss}`;
}
