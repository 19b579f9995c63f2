/** `optlab demo` (what `npm start` runs): the examples under a few optimizers, one warm runner. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DashboardEvent } from '../protocol/webview';
import type { RunnerClient } from './client';
import { formatError } from './formatError';
import { EventLog, teeHandlers } from './eventLog';
import { RunRecorder } from './runRecorder';
import { SUMMARY_HEADER, summaryRow, table } from './terminalOutput';
import { writeReport } from './writeReport';

/**
 * The report shows the runs on this file: four optimizers on one objective
 * compare on every chart, and its two parameters draw the contour and paths
 * (runs of different objectives on one loss chart would not compare).
 */
const REPORTED = 'rosenbrock.ts';

/** Where `npm start` writes its report unless told otherwise. */
export const DEMO_REPORT = path.join(os.tmpdir(), 'optlab-demo', 'report.html');

interface DemoRun {
  readonly file: string;
  readonly objective?: string;
  readonly optimizer: string;
  readonly lr?: number;
  readonly hp?: Record<string, string>;
  readonly steps: number;
}

const RUNS: readonly DemoRun[] = [
  { file: 'rosenbrock.ts', optimizer: 'sgd', lr: 0.001, hp: { momentum: '0.9' }, steps: 500 },
  { file: 'rosenbrock.ts', optimizer: 'adam', lr: 0.05, steps: 500 },
  { file: 'rosenbrock.ts', optimizer: 'lbfgs', lr: 1, hp: { line_search_fn: 'strong_wolfe' }, steps: 50 },
  { file: 'rosenbrock.ts', optimizer: 'newton', steps: 30 },
  { file: 'quadratic.ts', objective: 'illConditioned', optimizer: 'sgd', lr: 0.019, steps: 300 },
  { file: 'quadratic.ts', objective: 'illConditioned', optimizer: 'adam', lr: 0.1, steps: 300 },
  { file: 'quadratic.ts', objective: 'boxed', optimizer: 'sgd', lr: 0.01, steps: 300 },
  { file: 'logisticRegression.ts', optimizer: 'sgd', lr: 0.1, steps: 300 },
];

/** examples/ beside the bundle's folder (dist/) or the source tree's root. */
function examplesDir(): string {
  const candidates = [path.join(__dirname, '..', 'examples'), path.join(__dirname, '..', '..', 'examples')];
  return candidates.find((d) => fs.existsSync(path.join(d, 'rosenbrock.ts'))) ?? candidates[0];
}

export async function runDemo(client: RunnerClient, reportFile: string = DEMO_REPORT): Promise<number> {
  const dir = examplesDir();
  const ready = await client.start();
  process.stdout.write(`Optimizer Lab demo: ${RUNS.length} runs of the examples in ${path.relative(process.cwd(), dir) || '.'} (backend ${ready.backend}, TensorFlow.js ${ready.tfjsVersion})\n\n`);
  const rows: string[][] = [];
  let failures = 0;
  const events: DashboardEvent[] = [];
  for (const [i, r] of RUNS.entries()) {
    const recorder = new RunRecorder();
    const file = path.join(dir, r.file);
    const log = new EventLog(`demo-${i + 1}`, file);
    const outcome = await client.run(
      { runId: log.runId, file, objective: r.objective, optimizer: { id: r.optimizer, lr: r.lr, hp: r.hp ?? {} }, steps: r.steps, seed: 0, curvatureEvery: 'auto' },
      teeHandlers(recorder, log),
    ).result;
    log.finish(outcome);
    if (r.file === REPORTED) events.push(...log.events);
    const record = recorder.record(outcome, { file, optimizer: r.optimizer, seed: 0, maximize: false });
    if (outcome.kind === 'error') {
      failures += 1;
      process.stderr.write(`optlab demo: ${r.file} with ${r.optimizer}: ${formatError(outcome.error)}\n`);
    }
    const row = summaryRow(record);
    rows.push([r.objective ?? row[0] ?? r.file, ...row.slice(1)]);
  }
  process.stdout.write(`${table(SUMMARY_HEADER, rows)}\n`);
  const written = writeReport(reportFile, events, `Optimizer Lab demo: ${REPORTED}`, await client.catalog().catch(() => undefined));
  process.stdout.write(`\nThe dashboard of the ${REPORTED} runs (one self-contained page, no network): ${pathToFileURL(written).href}\n`);
  return failures === 0 ? 0 : 1;
}
