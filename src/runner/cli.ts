/**
 * `optlab`: run objective files from a terminal through the same runner
 * process the editor uses. Exit codes: 0 success, 1 the run failed (one line
 * on stderr says why), 2 a command-line mistake, 130 interrupted.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunRequestInput } from '../protocol/runner';
import { RunnerClient, type FileListing, type RunOutcome } from './client';
import { USAGE, UsageError, parseCommand, type RunCommand } from './cliArgs';
import { runDemo } from './demo';
import { EventLog } from './eventLog';
import { formatError } from './formatError';
import { lrFindCommand } from './lrFindCommand';
import { diagnosticsSummary } from './diagnosticsSummary';
import { optimizerListing } from './optimizerListing';
import { RunRecorder, toCsv } from './runRecorder';
import { ProgressLine, SUMMARY_HEADER, hpText, summaryRow, table } from './terminalOutput';
import { sweepCommand } from './sweepCommand';
import { writeReport } from './writeReport';
import { savedRunsCommand } from './runFiles/runsCli';

function failLine(message: string): void {
  process.stderr.write(`optlab: ${message}\n`);
}

/** The first of the command's files that does not exist, named as the user gave it. */
function missingFile(cmd: RunCommand): string | undefined {
  if (!fs.existsSync(path.resolve(cmd.file))) return `${cmd.file}: no such file`;
  if (cmd.optimizerFile !== undefined && !fs.existsSync(cmd.optimizerFile)) return `${cmd.optimizerFile}: no such file (the optimizer rule's file, from --optimizer)`;
  if (cmd.scheduleFile !== undefined && !fs.existsSync(cmd.scheduleFile.file)) return `${cmd.scheduleFile.file}: no such file (the schedule function's file, from --schedule)`;
  return undefined;
}

/** What `optlab run` asks the runner for. */
function runRequest(cmd: RunCommand, file: string, runId: string): Omit<RunRequestInput, 'type'> {
  const ruleFile = cmd.optimizerFile;
  return {
    file,
    objective: cmd.objective,
    optimizer: {
      id: cmd.optimizer,
      ...(ruleFile !== undefined ? { rule: { file: ruleFile } } : {}),
      lr: cmd.lr,
      hp: cmd.hp,
      maximize: cmd.maximize || undefined,
      clipNorm: cmd.clipNorm,
      noiseTemperature: cmd.noiseTemperature,
    },
    schedule: cmd.schedule,
    ...(cmd.scheduleFile !== undefined ? { scheduleFile: cmd.scheduleFile } : {}),
    steps: cmd.steps,
    seed: cmd.seed,
    curvatureEvery: cmd.curvatureEvery,
    ...(cmd.diagnostics !== undefined ? { diagnostics: cmd.diagnostics } : {}),
    ...(cmd.spectrum ? { spectrum: true } : {}),
    ...(cmd.stepDiagnostics ? { stepDiagnostics: true } : {}),
    timeLimitMs: cmd.timeLimitMs,
    backend: cmd.backend,
    compile: cmd.compile,
    ...(cmd.saveParams !== undefined ? { saveParams: cmd.saveParams } : {}),
    ...(cmd.memoryLimitBytes !== undefined ? { memoryLimitBytes: cmd.memoryLimitBytes } : {}),
    ...(cmd.threads !== undefined ? { threads: cmd.threads } : {}),
    runId,
    // The landscape is drawn only in a report (slices too, within the runner's time budget): without one, no time is spent on it.
    landscape: cmd.report !== undefined,
  };
}

/** The exit code of a finished run, its reason on stderr: 0 completed or converged, 130 interrupted, else 1. */
function exitCode(outcome: RunOutcome, interrupted: boolean): number {
  if (outcome.kind === 'error') {
    failLine(formatError(outcome.error));
    return 1;
  }
  const done = outcome.done;
  if (done.status === 'completed' || done.status === 'converged') {
    if (done.message) process.stderr.write(`optlab: warning: ${done.message}\n`);
    return 0;
  }
  failLine(done.message ?? done.status);
  return interrupted ? 130 : 1;
}

async function runCommand(cmd: RunCommand, client: RunnerClient): Promise<number> {
  const missing = missingFile(cmd);
  if (missing) {
    failLine(missing);
    return 1;
  }
  const file = path.resolve(cmd.file);
  const recorder = new RunRecorder();
  const log = new EventLog('run-1', file);
  const progress = process.stderr.isTTY === true ? new ProgressLine(process.stderr, cmd.steps) : undefined;
  const handle = client.run(runRequest(cmd, file, log.runId), {
    onStarted: (meta, startedFile) => {
      recorder.onStarted(meta);
      log.onStarted(meta, startedFile);
    },
    onCurvature: (s) => {
      recorder.onCurvature(s);
      log.onCurvature(s);
    },
    onLandscape: (l) => {
      log.onLandscape(l);
      if (l.warning) process.stderr.write(`optlab: warning: ${l.warning}\n`);
    },
    onSteps: (steps) => {
      recorder.onSteps(steps);
      log.onSteps(steps);
      const last = steps[steps.length - 1];
      progress?.update(last.step + 1, last.loss, (last.step + 1) / Math.max(last.wallMs / 1000, 1e-3));
    },
  });
  let interrupted = false;
  const onSigint = (): void => {
    interrupted = true;
    handle.cancel();
  };
  process.on('SIGINT', onSigint);
  const outcome = await handle.result;
  process.off('SIGINT', onSigint);
  progress?.clear();
  const record = recorder.record(outcome, { file, optimizer: cmd.optimizer, optimizerFile: cmd.optimizerFile, seed: cmd.seed, maximize: cmd.maximize, clipNorm: cmd.clipNorm, noiseTemperature: cmd.noiseTemperature });
  // Partial results are written too (a diverged run keeps its earlier steps).
  if (recorder.meta || outcome.kind === 'done') {
    if (cmd.json) fs.writeFileSync(cmd.json, `${JSON.stringify(record, null, 2)}\n`);
    if (cmd.csv) fs.writeFileSync(cmd.csv, toCsv(record.steps));
  }
  if (cmd.report) {
    log.finish(outcome);
    // The catalogue names the torch class (or the paper) in the report's torch snippet; a report is still written without it.
    const optimizers = await client.catalog().catch(() => undefined);
    process.stderr.write(`optlab: report written to ${writeReport(cmd.report, log.events, `Optimizer Lab: ${path.basename(file)}`, optimizers)}\n`);
  }
  if (record.objective) process.stdout.write(`${table(SUMMARY_HEADER, [summaryRow(record)])}\n`);
  if (record.lossAt) process.stdout.write(`losses and final parameters are at the ${record.lossAt}\n`);
  const diagnostics = diagnosticsSummary(record.curvature);
  if (diagnostics) process.stdout.write(`${diagnostics}\n`);
  return exitCode(outcome, interrupted);
}

function objectiveTable(objectives: FileListing['objectives']): string {
  const rows = objectives.map((o) => [
    o.name,
    o.paramCount === null ? '-' : String(o.paramCount),
    o.stochastic ? 'yes' : 'no',
    o.hasMinimum ? 'yes' : 'no',
    o.line ? String(o.line) : '-',
    o.problem ?? '',
  ]);
  return table(['objective', 'params', 'stochastic', 'minimum', 'line', 'problem'], rows);
}

/** The rules with their defaults: what `--hp name=value` can override (lr with --lr). */
function ruleTable(rules: FileListing['optimizers']): string {
  const rows = rules.map((r) => [
    r.name,
    r.line ? String(r.line) : '-',
    r.scope,
    Object.entries(r.defaults).map(([name, value]) => `${name}=${hpText(value)}`).join(' ') || '-',
    r.problem ?? '',
  ]);
  return table(['optimizer rule', 'line', 'scope', 'defaults', 'problem'], rows);
}

/** The schedule functions, usable with --schedule FILE#NAME. */
function scheduleTable(schedules: FileListing['schedules']): string {
  const forms = { factor: '(step) => factor', lr: '(step, lr) => lr' };
  const rows = schedules.map((s) => [s.name, s.line ? String(s.line) : '-', forms[s.form]]);
  return table(['schedule', 'line', 'form'], rows);
}

async function listCommand(file: string, client: RunnerClient): Promise<number> {
  const abs = path.resolve(file);
  if (!fs.existsSync(abs)) {
    failLine(`${file}: no such file`);
    return 1;
  }
  const { objectives, optimizers, schedules, error } = await client.list(abs);
  if (error) {
    failLine(formatError(error));
    return 1;
  }
  if (objectives.length === 0 && optimizers.length === 0 && schedules.length === 0) {
    failLine(
      `${file}: no objective (an exported function with an \`init\` property), no optimizer rule (an exported object with init and update)` +
        ' and no schedule function (an exported (step) => factor or (step, lr) => lr)',
    );
    return 1;
  }
  const tables = [
    ...(objectives.length > 0 ? [objectiveTable(objectives)] : []),
    ...(optimizers.length > 0 ? [ruleTable(optimizers)] : []),
    ...(schedules.length > 0 ? [scheduleTable(schedules)] : []),
  ];
  process.stdout.write(`${tables.join('\n\n')}\n`);
  return [...objectives, ...optimizers].some((o) => o.problem) ? 1 : 0;
}

/** The built-in optimizers from the runner (which loads the registry), as text or JSON. */
async function listOptimizersCommand(json: boolean, client: RunnerClient): Promise<number> {
  const catalog = await client.catalog();
  process.stdout.write(json ? `${JSON.stringify(catalog, null, 2)}\n` : `${optimizerListing(catalog)}\n`);
  return 0;
}

export async function main(argv: readonly string[]): Promise<number> {
  let cmd;
  try {
    cmd = parseCommand(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      failLine(e.message);
      process.stderr.write(`${USAGE}\n`);
      return 2;
    }
    throw e;
  }
  if (cmd.command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  // A sweep runs on worker threads of its own; no runner process.
  if (cmd.command === 'sweep') return sweepCommand(cmd);
  // Saved runs are read from disk; no runner process either.
  if (cmd.command === 'runs' || cmd.command === 'report') return savedRunsCommand(cmd);
  // A run's --memory-limit is the process's too (its heap limit is set when it starts).
  const memoryLimitBytes = cmd.command === 'run' ? cmd.memoryLimitBytes : undefined;
  const client = new RunnerClient({ backend: 'backend' in cmd ? cmd.backend : undefined, ...(memoryLimitBytes !== undefined ? { memoryLimitBytes } : {}) });
  try {
    if (cmd.command === 'run') return await runCommand(cmd, client);
    if (cmd.command === 'list') return await listCommand(cmd.file, client);
    if (cmd.command === 'list-optimizers') return await listOptimizersCommand(cmd.json, client);
    if (cmd.command === 'lr-find') return await lrFindCommand(cmd, client);
    return await runDemo(client, cmd.report);
  } finally {
    client.dispose();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      failLine(`internal error: ${(e as Error).message}`);
      process.exitCode = 1;
    },
  );
}
