import type { RunSnapshot } from '../src/protocol/webview';
import type { ControlTargets } from './controls';
import type { DashboardModel } from './dashboardModel';

/** What the lr slider and Repeat act on: the selected run, else every running run (Repeat: the last run). */
export function controlTargets(model: DashboardModel, selected: RunSnapshot | undefined, label: (run: RunSnapshot) => string): ControlTargets {
  const running = [...model.runs.values()].filter((r) => model.isRunning(r));
  const name = (r: RunSnapshot) => (r.group !== undefined ? `${label(r)} seed ${r.meta?.seed ?? '?'}` : label(r));
  const lr = selected ? (model.isRunning(selected) ? name(selected) : `${name(selected)} (not running)`)
    : running.length === 0 ? 'running runs (none now)' : running.length === 1 ? label(running[0]) : `all ${running.length} running runs`;
  const last = [...model.runs.values()].filter((r) => r.meta).pop();
  const from = selected ?? last;
  return { lr, ...(from ? { repeat: name(from) } : {}) };
}
