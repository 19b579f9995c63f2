/**
 * `optlab sweep`: a grid or a search over hyperparameters, its configurations on
 * worker threads (src/runner/sweepPool.ts), each run as `optlab run` runs it. A
 * progress bar on a terminal (a line per run otherwise), a summary table, --json
 * and --csv. Ctrl-C stops every worker; what finished is still written.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sweepResultSchema, type SweepResult } from '../protocol/sweep';
import { defaultRunnerPath } from './client';
import type { SweepCommand } from './sweepArgs';
import { plannedRuns, plannedSteps, runSweep, sweepPoints, type SweepSpec } from './sweepEngine';
import { SweepProgressLine, runLine, sweepCsv, sweepSummary } from './sweepOutput';
import { comparisonSummary } from './comparisonOutput';
import { runTunedComparison } from './tunedComparison';
import { SweepPool } from './sweepPool';

function failLine(message: string): void {
  process.stderr.write(`optlab: ${message}\n`);
}

export function sweepSpec(cmd: SweepCommand): SweepSpec {
  return {
    file: path.resolve(cmd.file),
    ...(cmd.objective !== undefined ? { objective: cmd.objective } : {}),
    optimizer: cmd.optimizer,
    ...(cmd.optimizerFile !== undefined ? { optimizerFile: cmd.optimizerFile } : {}),
    ...(cmd.lr !== undefined ? { lr: cmd.lr } : {}),
    hp: cmd.hp, steps: cmd.steps, seeds: cmd.seeds, dims: cmd.dims, mode: cmd.mode,
    ...(cmd.trials !== undefined ? { trials: cmd.trials } : {}),
    seed: cmd.seed, halving: cmd.halving, timeLimitMs: cmd.timeLimitMs, compile: cmd.compile,
    ...(cmd.backend ? { backend: cmd.backend } : {}),
  };
}

/** Runs and steps planned: the sweep's, or a tuned comparison's (each optimizer's tuning runs and held-out runs). */
function planned(cmd: SweepCommand, spec: SweepSpec, configurations: number): { total: number; totalRuns: number } {
  if (!cmd.compare) return { total: plannedSteps(spec, configurations), totalRuns: plannedRuns(spec, configurations) };
  const totalRuns = cmd.compare.length * (configurations + spec.seeds);
  return { total: totalRuns * spec.steps, totalRuns };
}

/** Progress as runs report it: a bar over the planned steps on a terminal, else a line per finished run. */
function progressReporter({ total, totalRuns }: { total: number; totalRuns: number }) {
  const bar = process.stderr.isTTY === true ? new SweepProgressLine(process.stderr, total, totalRuns) : undefined;
  const running = new Map<number, number>();
  let finishedSteps = 0;
  let runsDone = 0;
  const started = Date.now();
  const draw = (force = false): void => {
    let steps = finishedSteps;
    for (const s of running.values()) steps += s;
    bar?.update(steps, runsDone, steps / Math.max((Date.now() - started) / 1000, 1e-3), force);
  };
  return {
    onProgress: (task: number, steps: number) => {
      running.set(task, steps);
      draw();
    },
    listener: {
      onRun: (run: SweepResult['runs'][number], task: number, planned: number) => {
        running.delete(task);
        finishedSteps += planned;
        runsDone++;
        if (bar) draw(true);
        else process.stderr.write(`${runLine(run, runsDone, totalRuns)}\n`);
      },
    },
    clear: () => bar?.clear(),
  };
}

export async function sweepCommand(cmd: SweepCommand, workerScript = defaultRunnerPath()): Promise<number> {
  const spec = sweepSpec(cmd);
  if (!fs.existsSync(spec.file)) {
    failLine(`${cmd.file}: no such file`);
    return 1;
  }
  if (spec.optimizerFile !== undefined && !fs.existsSync(spec.optimizerFile)) {
    failLine(`${spec.optimizerFile}: no such file (the optimizer rule's file, from --optimizer)`);
    return 1;
  }
  const configurations = sweepPoints(spec).length;
  const progress = progressReporter(planned(cmd, spec, configurations));
  const pool = new SweepPool({ workerScript, ...(cmd.workers !== undefined ? { workers: cmd.workers } : {}), ...(cmd.backend ? { backend: cmd.backend } : {}), onProgress: progress.onProgress });
  let interrupted = false;
  const onSigint = (): void => {
    interrupted = true;
    pool.cancel();
  };
  process.on('SIGINT', onSigint);
  let result: SweepResult;
  try {
    const run = cmd.compare ? runTunedComparison(spec, cmd.compare, pool, progress.listener) : runSweep(spec, pool, progress.listener);
    result = sweepResultSchema.parse(await run);
  } finally {
    process.off('SIGINT', onSigint);
    await pool.close();
    progress.clear();
  }
  // Every run is written, diverged and failed ones included (marked by status).
  if (cmd.json) fs.writeFileSync(cmd.json, `${JSON.stringify(result, null, 2)}\n`);
  if (cmd.csv) fs.writeFileSync(cmd.csv, sweepCsv(result));
  process.stdout.write(`${sweepSummary(result)}\n`);
  if (result.comparison) process.stdout.write(`\n${comparisonSummary(result, result.comparison)}\n`);
  if (interrupted) {
    failLine('interrupted: the runs that finished are kept');
    return 130;
  }
  const failed = result.runs.filter((r) => r.status === 'error');
  if (failed.length === result.runs.length) {
    failLine(failed[0]?.message ?? 'every run failed');
    return 1;
  }
  return 0;
}
