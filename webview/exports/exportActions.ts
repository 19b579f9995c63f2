/**
 * The dashboard's exports and copies: each posts what the host writes or copies, and returns what to
 * announce to screen readers.
 */
import type { Chart } from 'chart.js';
import type { RunSnapshot } from '../../src/protocol/webview';
import type { ChartKind } from '../chartCards';
import type { DashboardModel } from '../dashboardModel';
import type { HostApi } from '../hostApi';
import { replayLink, replayRecordOf } from '../../src/protocol/replayRecord';
import { cliCommand } from './cliCommand';
import { runsCsv, runsJson } from './runsExport';
import { torchSnippet } from './torchSnippet';

export function exportPng(host: HostApi, kind: ChartKind, chart: Chart): string {
  const content = chart.toBase64Image('image/png', 1);
  host.post({ type: 'exportFile', format: 'png', suggestedName: `optimizer-lab-${kind}.png`, content });
  return `${kind} chart exported`;
}

export function exportRuns(host: HostApi, model: DashboardModel, format: 'csv' | 'json'): string {
  const runs = [...model.runs.values()];
  const content = format === 'csv' ? runsCsv(runs) : runsJson(runs, model.version);
  host.post({ type: 'exportFile', format, suggestedName: `optimizer-lab-runs.${format}`, content });
  return `runs exported as ${format.toUpperCase()}`;
}

export function copyRun(host: HostApi, model: DashboardModel, run: RunSnapshot, what: 'cli' | 'torch' | 'replay'): string {
  if (what === 'replay') return copyReplayRecord(host, model, run);
  // A workspace rule has no torch.optim class, whatever its name.
  const optimizer = run.meta?.optimizer.file ? undefined : model.optimizers.find((o) => o.id === run.meta?.optimizer.id);
  const text = what === 'cli' ? cliCommand(run, model.target?.file) : torchSnippet(run, optimizer);
  host.post({ type: 'copy', what, text });
  return what === 'cli' ? 'CLI command copied' : 'torch.optim snippet copied';
}

/** "share": the run's replay record as a link (its JSON inside), for Open Replay Record in any workspace. */
function copyReplayRecord(host: HostApi, model: DashboardModel, run: RunSnapshot): string {
  const record = replayRecordOf(run, model.target?.file);
  if (!record) return 'no replay record yet: the run has not started';
  host.post({ type: 'copy', what: 'replay', text: replayLink(record) });
  return 'replay record copied';
}
