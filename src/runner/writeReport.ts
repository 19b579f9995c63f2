/** Writes the self-contained HTML report (src/report/renderReport.ts) of recorded runs. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runsFromEvents } from '../protocol/runHistory';
import type { DashboardEvent } from '../protocol/webview';
import { renderReport } from '../report/renderReport';

/** Returns the absolute path written. */
export function writeReport(file: string, events: readonly DashboardEvent[], title: string): string {
  const abs = path.resolve(file);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.writeFileSync(abs, renderReport(runsFromEvents(events), { title }));
  return abs;
}
