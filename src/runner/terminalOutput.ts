/** What the CLI draws on a terminal: a progress line and summary tables. */
import type { RunRecord } from './runRecorder';

export function fmt(n: number | null | undefined): string {
  if (n === null || n === undefined) return '-';
  if (!Number.isFinite(n)) return String(n);
  if (n === 0) return '0';
  const a = Math.abs(n);
  return a >= 1e5 || a < 1e-3 ? n.toExponential(3) : Number(n.toPrecision(5)).toString();
}

/** One redrawn line: [#####.....] step 250/500  loss 1.234e-3  812 steps/s */
export class ProgressLine {
  private lastDraw = 0;
  constructor(private readonly stream: NodeJS.WriteStream, private readonly total: number) {}

  update(step: number, loss: number, stepsPerSecond: number, force = false): void {
    const now = Date.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const width = 24;
    const filled = Math.round((width * Math.min(step, this.total)) / this.total);
    const bar = '#'.repeat(filled) + '.'.repeat(width - filled);
    const line = `[${bar}] step ${step}/${this.total}  loss ${fmt(loss)}  ${Math.round(stepsPerSecond)} steps/s`;
    this.stream.write(`\r${line.padEnd(Math.max(line.length, (this.stream.columns ?? 80) - 1))}`);
  }

  clear(): void {
    this.stream.write(`\r${' '.repeat(Math.max(0, (this.stream.columns ?? 80) - 1))}\r`);
  }
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** A hyperparameter as typed on the command line: tuples as a,b. */
export function hpText(value: unknown): string {
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** The optimizer column: a rule is named with its file (lion.ts#lion), a built-in by its id. */
function optimizerLabel(o: RunRecord['optimizer']): string {
  if (o.file === undefined) return o.id;
  return `${o.file.split(/[/\\]/).pop() ?? o.file}#${o.id}`;
}

export const SUMMARY_HEADER = ['objective', 'optimizer', 'lr', 'status', 'final loss', 'grad norm', 'evals', 'wall time', 'steps/s', 'backend'];

export function summaryRow(r: RunRecord): string[] {
  return [
    r.objective ?? '-',
    optimizerLabel(r.optimizer),
    fmt(r.optimizer.lr),
    r.status,
    fmt(r.final?.loss),
    fmt(r.final?.gradNorm),
    r.evals === null ? '-' : String(r.evals),
    r.wallMs === null ? '-' : `${(r.wallMs / 1000).toFixed(2)} s`,
    r.stepsPerSecond === null ? '-' : String(Math.round(r.stepsPerSecond)),
    // Compiled runs do their steps in plain JS; the backend only served the checks.
    r.compute?.path === 'compiled' ? compiledLabel(r.compute) : (r.backend ?? '-'),
  ];
}

/** A compiled run's 'ran on' cell: plain JS or WebAssembly SIMD, and its products' threads when more than one. */
function compiledLabel(compute: NonNullable<RunRecord['compute']>): string {
  const threads = (compute.threads ?? 1) > 1 ? `, ${compute.threads} threads` : '';
  return `${compute.simd ? 'compiled wasm SIMD' : 'compiled JS'}${threads}`;
}
