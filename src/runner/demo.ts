/** `optlab demo` (what `npm start` runs): the examples under a few optimizers, one warm runner. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunnerClient } from './client';
import { formatError } from './formatError';
import { RunRecorder } from './runRecorder';
import { SUMMARY_HEADER, summaryRow, table } from './terminalOutput';

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

export async function runDemo(client: RunnerClient): Promise<number> {
  const dir = examplesDir();
  const ready = await client.start();
  process.stdout.write(`Optimizer Lab demo: ${RUNS.length} runs of the examples in ${path.relative(process.cwd(), dir) || '.'} (backend ${ready.backend}, TensorFlow.js ${ready.tfjsVersion})\n\n`);
  const rows: string[][] = [];
  let failures = 0;
  for (const r of RUNS) {
    const recorder = new RunRecorder();
    const file = path.join(dir, r.file);
    const outcome = await client.run(
      { file, objective: r.objective, optimizer: { id: r.optimizer, lr: r.lr, hp: r.hp ?? {} }, steps: r.steps, seed: 0 },
      recorder,
    ).result;
    const record = recorder.record(outcome, { file, optimizer: r.optimizer, seed: 0, maximize: false });
    if (outcome.kind === 'error') {
      failures += 1;
      process.stderr.write(`optlab demo: ${r.file} with ${r.optimizer}: ${formatError(outcome.error)}\n`);
    }
    const row = summaryRow(record);
    rows.push([r.objective ?? row[0] ?? r.file, ...row.slice(1)]);
  }
  process.stdout.write(`${table(SUMMARY_HEADER, rows)}\n`);
  return failures === 0 ? 0 : 1;
}
