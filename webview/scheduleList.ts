/**
 * The schedule field's suggestions: the workspace's schedule functions as
 * `FILE#NAME` (the host sends them; it resolves FILE against the workspace
 * folder and runs the function), then the spec grammar's names as hints.
 */
import type { ScheduleOption } from '../src/protocol/webview';
import { el } from './dom';

/** The names a spec may start with (src/core/schedules/scheduleKinds.ts `scheduleNames`; a test keeps them equal). */
export const SCHEDULE_SPEC_NAMES: readonly string[] = [
  'constant', 'step', 'multistep', 'exponential', 'cosine', 'cosine-restarts', 'onecycle', 'plateau',
  'constantlr', 'linear', 'polynomial', 'multiplicative', 'cyclic', 'warmup', 'sequential',
];

const FORM_TEXT: Record<ScheduleOption['form'], string> = { factor: '(step) => factor', lr: '(step, lr) => lr' };

/** What the field sends for a schedule function: its file as the list names it (workspace-relative), '#', its name. */
export function scheduleValue(s: ScheduleOption): string {
  return `${s.label}#${s.name}`;
}

export function scheduleDatalist(id: string, schedules: readonly ScheduleOption[]): HTMLDataListElement {
  const list = el('datalist', { id });
  for (const s of schedules) list.append(el('option', { value: scheduleValue(s), label: `workspace · ${FORM_TEXT[s.form]}` }));
  for (const name of SCHEDULE_SPEC_NAMES) list.append(el('option', { value: name, label: 'built-in' }));
  return list;
}

/** The field's tooltip: what it takes, and how many workspace functions the list offers. */
export function scheduleTitle(schedules: readonly ScheduleOption[]): string {
  const found = schedules.length === 0 ? 'none found in the workspace' : `${schedules.length} in the workspace, listed`;
  return `A spec (cosine:T_max=500, warmup:steps=50+cosine) or a workspace function as FILE#NAME (${found})`;
}
