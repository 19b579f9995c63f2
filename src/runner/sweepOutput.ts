/** What `optlab sweep` prints and writes besides JSON: the summary table, one line per run, the CSV. */
import type { SweepResult, SweepRun } from '../protocol/sweep';
import { fmt, table } from './terminalOutput';

/** Configurations shown in the summary table (the best ones; the rest are counted). */
const SUMMARY_ROWS = 20;

/** The swept values of a run, as typed: lr=0.001 momentum=0.9. */
export function pointText(point: Readonly<Record<string, string>>): string {
  return Object.entries(point).map(([name, value]) => `${name}=${value}`).join(' ');
}

/** One redrawn line on a terminal: [#####.....] 12/64 runs  1.2e6 steps/s */
export class SweepProgressLine {
  private lastDraw = 0;
  constructor(private readonly stream: NodeJS.WriteStream, private readonly totalSteps: number, private readonly totalRuns: number) {}

  update(steps: number, runs: number, stepsPerSecond: number, force = false): void {
    const now = Date.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const width = 24;
    const filled = Math.round((width * Math.min(steps, this.totalSteps)) / Math.max(this.totalSteps, 1));
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${runs}/${this.totalRuns} runs  ${fmt(Math.round(stepsPerSecond))} steps/s`;
    this.stream.write(`\r${line.padEnd(Math.max(line.length, (this.stream.columns ?? 80) - 1))}`);
  }

  clear(): void {
    this.stream.write(`\r${' '.repeat(Math.max(0, (this.stream.columns ?? 80) - 1))}\r`);
  }
}

/** A swept value for the table: numbers shortened, other text (tuples, names) as given. */
function valueText(value: string | undefined): string {
  if (value === undefined) return '-';
  const n = Number(value);
  return value.trim() !== '' && Number.isFinite(n) ? fmt(n) : value;
}

/** One plain line per finished run (when stderr is not a terminal). */
export function runLine(run: SweepRun, done: number, total: number): string {
  const loss = run.final.loss === null ? '' : `  loss ${fmt(run.final.loss)}`;
  const why = run.status === 'error' || run.status === 'diverged' ? `  (${run.message ?? run.status})` : '';
  return `[${done}/${total}] ${pointText(run.point)} seed=${run.seed}: ${run.status}${loss}${why}`;
}

interface ConfigurationRow {
  readonly trial: number;
  readonly runs: SweepRun[];
  /** Mean final loss over seeds; NaN unless every run finished with a finite loss. */
  readonly loss: number;
}

function rowsOf(result: SweepResult): ConfigurationRow[] {
  const byTrial = new Map<number, SweepRun[]>();
  for (const r of result.runs) byTrial.set(r.trial, [...(byTrial.get(r.trial) ?? []), r]);
  return [...byTrial].map(([trial, runs]) => {
    const ok = runs.every((r) => (r.status === 'completed' || r.status === 'converged') && r.final.loss !== null);
    return { trial, runs, loss: ok ? runs.reduce((acc, r) => acc + (r.final.loss as number), 0) / runs.length : NaN };
  });
}

/** "completed", or "2 completed, 1 diverged" when the seeds differ. */
function statusText(runs: readonly SweepRun[]): string {
  const counts = new Map<string, number>();
  for (const r of runs) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  return counts.size === 1 ? runs[0].status : [...counts].map(([s, n]) => `${n} ${s}`).join(', ');
}

/** The best configurations by mean final loss (unfinished ones last), one row each, and a line on the rest. */
export function sweepSummary(result: SweepResult): string {
  const names = result.space.map((d) => d.name);
  const seeds = Math.max(...result.runs.map((r) => r.seed + 1), 1);
  const rank = (l: number) => (Number.isFinite(l) ? l : Infinity);
  const rows = rowsOf(result).sort((a, b) => rank(a.loss) - rank(b.loss) || a.trial - b.trial);
  const header = ['#', ...names, 'status', seeds > 1 ? `mean final loss (${seeds} seeds)` : 'final loss', 'grad norm', 'steps'];
  const cells = rows.slice(0, SUMMARY_ROWS).map((row) => {
    const first = row.runs[0];
    const norms = row.runs.map((r) => r.final.gradNorm);
    return [
      String(row.trial), ...names.map((n) => valueText(first.point[n])),
      statusText(row.runs),
      Number.isFinite(row.loss) ? fmt(row.loss) : '-',
      norms.every((g) => g !== null) ? fmt((norms as number[]).reduce((a, b) => a + b, 0) / norms.length) : '-',
      String(Math.max(...row.runs.map((r) => r.stepsDone))),
    ];
  });
  const lines = [table(header, cells)];
  const diverged = rows.filter((r) => r.runs.some((x) => x.status === 'diverged')).length;
  if (rows.length > SUMMARY_ROWS) lines.push(`... ${rows.length - SUMMARY_ROWS} more configurations`);
  lines.push(`${rows.length} configurations, ${result.runs.length} runs, ${diverged} diverged, on ${result.workers} worker(s) in ${(result.wallMs / 1000).toFixed(2)} s`);
  const best = result.best;
  lines.push(best ? `best: ${pointText(best.point)}  loss ${fmt(best.loss)}${best.seeds > 1 ? ` (mean of ${best.seeds} seeds)` : ''}` : 'best: none (no configuration finished with a finite loss)');
  return lines.join('\n');
}

const csvField = (text: string) => (/[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/** One row per run: trial, seed, the swept values, lr, status and the final figures. */
export function sweepCsv(result: SweepResult): string {
  const names = result.space.map((d) => d.name).filter((n) => n !== 'lr');
  const header = ['trial', 'seed', 'lr', ...names, 'status', 'steps_done', 'final_loss', 'final_grad_norm'];
  const rows = result.runs.map((r) =>
    [String(r.trial), String(r.seed), String(r.lr), ...names.map((n) => r.point[n] ?? ''), r.status, String(r.stepsDone), String(r.final.loss ?? ''), String(r.final.gradNorm ?? '')].map(csvField).join(','),
  );
  return [header.join(','), ...rows].join('\n') + '\n';
}
