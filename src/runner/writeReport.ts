/** Writes the self-contained HTML report (src/report/renderReport.ts) of recorded runs. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runsFromEvents } from '../protocol/runHistory';
import type { DashboardEvent, OptimizerOption, RunSnapshot } from '../protocol/webview';
import { renderReport } from '../report/renderReport';

/** Returns the absolute path written. `optimizers`: the catalogue, for the torch snippets' classes and references. */
export function writeReport(file: string, events: readonly DashboardEvent[], title: string, optimizers?: OptimizerOption[]): string {
  return writeRunsReport(file, runsFromEvents(events), title, optimizers);
}

/** The report of runs already folded (saved runs: `optlab report`). Returns the absolute path written. */
export function writeRunsReport(file: string, runs: readonly RunSnapshot[], title: string, optimizers?: OptimizerOption[]): string {
  const abs = path.resolve(file);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.writeFileSync(abs, renderReport(runs, { title, ...(optimizers ? { optimizers } : {}) }));
  return abs;
}
