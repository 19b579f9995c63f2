/**
 * Runs `optlab sweep` (the CLI bundle, dist/cli.js) as a child process for the editor's sweep commands (Run sweep…,
 * Compare (tuned)): the sweep's worker threads stay out of the extension host. Progress comes from the CLI's line
 * per finished run, cancel is its Ctrl-C (what finished is kept), and the JSON it writes opens in the Sweep card.
 */
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SweepViewMessage } from '../protocol/sweepView';
import { DashboardPanel } from './dashboardPanel';
import { parseSweepFile } from './sweepFile';

/** `[3/12] lr=0.01 seed=0: completed …`: runs done and planned. */
export function progressOf(line: string): { done: number; total: number } | undefined {
  const m = /^\[(\d+)\/(\d+)\]/.exec(line);
  return m ? { done: Number(m[1]), total: Number(m[2]) } : undefined;
}

/** How a sweep command ran: the exit code and the CLI's stderr lines that were not progress. */
export interface SweepCliExit {
  readonly code: number | null;
  readonly stderr: readonly string[];
}

/** Runs the CLI with `args` in `cwd` (the objective's folder) under a cancellable progress notification titled `title`. */
export type SweepCliRunner = (args: readonly string[], cwd: string, title: string) => Promise<SweepCliExit>;

/** The real runner: forks dist/cli.js, reports its progress lines, Ctrl-C on cancel; stdout goes to the log. */
export function forkSweepCli(extensionUri: vscode.Uri, log: (message: string) => void): SweepCliRunner {
  const cli = vscode.Uri.joinPath(extensionUri, 'dist', 'cli.js').fsPath;
  return (args, cwd, title) => {
    log(`optlab ${args.join(' ')}`);
    const stderr: string[] = [];
    return Promise.resolve(vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) =>
      new Promise<SweepCliExit>((resolve) => {
        const child = fork(cli, [...args], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], cwd });
        token.onCancellationRequested(() => child.kill('SIGINT'));
        let reported = 0;
        child.stderr?.on('data', (d: Buffer) => {
          for (const line of d.toString().split('\n')) {
            const p = progressOf(line);
            if (p) {
              const percent = (100 * p.done) / p.total;
              progress.report({ increment: percent - reported, message: `${p.done} of ${p.total} runs` });
              reported = percent;
            } else if (line.trim()) stderr.push(line);
          }
        });
        child.stdout?.on('data', (d: Buffer) => log(d.toString().trimEnd()));
        child.on('exit', (code) => resolve({ code, stderr }));
      })));
  };
}

/** A fresh path for the sweep's JSON. */
export function sweepJsonPath(prefix: string): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), `optlab-${prefix}-`)), `${prefix}.json`);
}

/**
 * After the CLI exits: the JSON it wrote, shown in the Sweep card (and the dashboard opened), or the reason it failed
 * in an error message. A cancelled sweep that wrote its file shows what finished.
 */
export function showSweepJson(
  json: string, label: string, exit: SweepCliExit, what: string, showDashboard: () => void,
  showSweep: (message: SweepViewMessage) => void = (m) => DashboardPanel.showSweep(m),
): boolean {
  const parsed = fs.existsSync(json) ? parseSweepFile(fs.readFileSync(json, 'utf8'), label) : undefined;
  if (!parsed?.ok) {
    const why = parsed && !parsed.ok ? parsed.error : exit.stderr.slice(-3).join(' ') || `optlab exited with ${exit.code}`;
    void vscode.window.showErrorMessage(`Optimizer Lab: ${what} failed: ${why}`);
    return false;
  }
  showSweep(parsed.message);
  showDashboard();
  return true;
}
