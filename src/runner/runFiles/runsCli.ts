/**
 * `optlab runs [DIR]` lists the saved runs of a folder (the editor's `.optimizer-lab/runs` by default);
 * `optlab report <run files or folders...> -o out.html` makes the self-contained report of saved runs.
 * A file that is not a saved run is named on stderr and skipped. No runner process is started.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { RunSnapshot } from '../../protocol/webview';
import { UsageError } from '../cliArgs';
import { fmt, table } from '../terminalOutput';
import { writeRunsReport } from '../writeReport';
import { listRunFiles, readRunFile } from './runDir';
import { RUN_FILE_EXTENSION, interruptedRun } from './runFileFormat';

/** Where the editor saves runs, relative to the workspace folder. */
export const DEFAULT_RUNS_DIR = path.join('.optimizer-lab', 'runs');

export type SavedRunsCommand =
  | { readonly command: 'runs'; readonly dir: string }
  | { readonly command: 'report'; readonly inputs: readonly string[]; readonly out: string; readonly title?: string };

export function parseSavedRunsCommand(command: 'runs' | 'report', rest: readonly string[]): SavedRunsCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...rest], allowPositionals: true, strict: true,
      options: command === 'report' ? { out: { type: 'string', short: 'o' }, title: { type: 'string' } } : {},
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { positionals, values } = parsed as { positionals: string[]; values: { out?: string; title?: string } };
  if (command === 'runs') {
    if (positionals.length > 1) throw new UsageError(`runs takes one folder, got ${positionals.length}`);
    return { command: 'runs', dir: positionals[0] ?? DEFAULT_RUNS_DIR };
  }
  if (positionals.length === 0) throw new UsageError('report needs saved run files (or folders of them), e.g. optlab report .optimizer-lab/runs/*.jsonl -o report.html');
  if (values.out === undefined) throw new UsageError('report needs -o PATH.html');
  return { command: 'report', inputs: positionals, out: values.out, ...(values.title !== undefined ? { title: values.title } : {}) };
}

const warn = (message: string): void => {
  process.stderr.write(`optlab: warning: skipped ${message}\n`);
};

async function runsList(dir: string): Promise<number> {
  const exists = await fs.stat(dir).then((s) => s.isDirectory(), () => false);
  if (!exists) {
    process.stderr.write(`optlab: ${dir}: no such folder (the editor saves runs in the workspace's ${DEFAULT_RUNS_DIR})\n`);
    return 1;
  }
  const entries = (await listRunFiles(dir, warn)).sort((a, b) => b.header.startedAt.localeCompare(a.header.startedAt));
  const rows = entries.map(({ header: h, path: file }) => [
    path.basename(file),
    h.summary?.objective ?? h.request.objective ?? '-',
    h.summary?.optimizer ?? h.request.optimizer ?? '-',
    fmt(h.summary?.lr ?? h.request.lr ?? null),
    fmt(h.summary?.finalLoss ?? null),
    h.summary?.status ?? 'running or interrupted',
    String(h.summary?.steps ?? '-'),
    h.startedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    [h.pinned ? 'pinned' : '', h.label ?? ''].filter(Boolean).join(' '),
  ]);
  process.stdout.write(`${table(['file', 'objective', 'optimizer', 'lr', 'final loss', 'status', 'steps', 'started', 'note'], rows)}\n`);
  process.stdout.write(`${entries.length} saved run${entries.length === 1 ? '' : 's'} in ${dir}\n`);
  return 0;
}

/** The run files named: files as given, folders as their saved runs (oldest first). */
async function runFilesOf(inputs: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const input of inputs) {
    const isDir = await fs.stat(input).then((s) => s.isDirectory(), () => false);
    if (!isDir) {
      files.push(input);
      continue;
    }
    const entries = await listRunFiles(input, warn);
    files.push(...entries.sort((a, b) => a.header.startedAt.localeCompare(b.header.startedAt)).map((e) => e.path));
  }
  return files;
}

async function report(inputs: readonly string[], out: string, title?: string): Promise<number> {
  const runs: RunSnapshot[] = [];
  for (const file of await runFilesOf(inputs)) {
    try {
      const parsed = await readRunFile(file);
      for (const w of parsed.warnings) process.stderr.write(`optlab: warning: ${w}\n`);
      runs.push(parsed.streamed ? interruptedRun(parsed.run) : parsed.run);
    } catch (e) {
      warn((e as Error).message);
    }
  }
  if (runs.length === 0) {
    process.stderr.write(`optlab: no saved run to report (run files end in ${RUN_FILE_EXTENSION})\n`);
    return 1;
  }
  const objectives = [...new Set(runs.map((r) => r.meta?.objective ?? '?'))];
  if (objectives.length > 1) process.stderr.write(`optlab: warning: the runs are of ${objectives.length} objectives (${objectives.join(', ')}); their curves share the charts\n`);
  const written = writeRunsReport(out, runs, title ?? `Optimizer Lab: ${objectives.join(', ')}`);
  process.stderr.write(`optlab: report of ${runs.length} run${runs.length === 1 ? '' : 's'} written to ${written}\n`);
  return 0;
}

export function savedRunsCommand(cmd: SavedRunsCommand): Promise<number> {
  return cmd.command === 'runs' ? runsList(cmd.dir) : report(cmd.inputs, cmd.out, cmd.title);
}
