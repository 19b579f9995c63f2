/**
 * "Optimizer Lab: Compare optimizers (tuned)…": the editor's way to `optlab sweep --compare` (src/runner/tunedComparison.ts).
 * It picks the objective and the built-in optimizers, asks for the lr grid, and runs the CLI bundle (dist/cli.js) as a child
 * process: the sweep's worker threads stay out of the extension host. Progress comes from the CLI's line per finished
 * run, cancel is its Ctrl-C (what finished is kept), and the result opens in the dashboard's Sweep card.
 */
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { COMPARE_DEFAULT_GRID, COMPARE_DEFAULT_SEEDS } from '../runner/cliArgs';
import type { BuiltInOptimizers } from './builtInOptimizers';
import { documentOf, requireTrust } from './commands';
import { DashboardPanel } from './dashboardPanel';
import type { SourceSites } from './discovery/sites';
import type { RunSettings } from './runSettings';
import { parseSweepFile } from './sweepFile';

export interface TunedCompareContext {
  readonly extensionUri: vscode.Uri;
  readonly settings: () => RunSettings;
  readonly optimizers: BuiltInOptimizers;
  readonly sites: (text: string) => Promise<SourceSites>;
  readonly showDashboard: () => void;
  readonly log: (message: string) => void;
}

/** `[3/12] lr=0.01 seed=0: completed …`: runs done and planned. */
export function progressOf(line: string): { done: number; total: number } | undefined {
  const m = /^\[(\d+)\/(\d+)\]/.exec(line);
  return m ? { done: Number(m[1]), total: Number(m[2]) } : undefined;
}

/** The CLI's arguments for a tuned comparison. */
export function compareArgs(file: string, objective: string, ids: readonly string[], grid: string, steps: number, json: string): string[] {
  return ['sweep', file, '--objective', objective, '--compare', ids.join(','), '--grid', grid, '--steps', String(steps), '--seeds', String(COMPARE_DEFAULT_SEEDS), '--json', json];
}

async function ask(ctx: TunedCompareContext): Promise<{ file: string; objective: string; ids: string[]; grid: string } | undefined> {
  const document = await documentOf(undefined);
  const objectives = document ? (await ctx.sites(document.getText())).objectives.filter((s) => s.exported && !s.problem).map((s) => s.name) : [];
  if (!document || objectives.length === 0) {
    void vscode.window.showInformationMessage('Optimizer Lab: open an objective file to compare tuned optimizers on it.');
    return undefined;
  }
  const objective = objectives.length === 1 ? objectives[0] : await vscode.window.showQuickPick(objectives, { title: 'Objective for the tuned comparison' });
  if (!objective) return undefined;
  const items = (await ctx.optimizers.loaded).map((o) => ({ label: o.id, picked: ['sgd', 'adam'].includes(o.id) }));
  const picked = await vscode.window.showQuickPick(items, { title: 'Optimizers to tune and compare (the same budget each)', canPickMany: true });
  if (!picked || picked.length < 2) return undefined;
  const grid = await vscode.window.showInputBox({
    title: 'Grid each optimizer is tuned over', value: COMPARE_DEFAULT_GRID, prompt: 'NAME=from:to:log|lin:count or NAME=a,b,c (optlab sweep --grid)',
  });
  if (!grid) return undefined;
  if (document.isDirty) await document.save();
  return { file: document.uri.fsPath, objective, ids: picked.map((p) => p.label), grid };
}

export async function tunedCompare(ctx: TunedCompareContext): Promise<void> {
  if (!requireTrust()) return;
  const asked = await ask(ctx);
  if (!asked) return;
  const json = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-compare-')), 'compare.json');
  const cli = vscode.Uri.joinPath(ctx.extensionUri, 'dist', 'cli.js').fsPath;
  const args = compareArgs(asked.file, asked.objective, asked.ids, asked.grid, ctx.settings().steps, json);
  ctx.log(`tuned comparison: optlab ${args.join(' ')}`);
  const stderr: string[] = [];
  const code = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Optimizer Lab: tuning ${asked.ids.join(', ')} on ${asked.objective}`, cancellable: true },
    (progress, token) => new Promise<number | null>((resolve) => {
      const child = fork(cli, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], cwd: path.dirname(asked.file) });
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
      child.stdout?.on('data', (d: Buffer) => ctx.log(d.toString().trimEnd()));
      child.on('exit', (c) => resolve(c));
    }),
  );
  const parsed = fs.existsSync(json) ? parseSweepFile(fs.readFileSync(json, 'utf8'), `${asked.objective} (tuned comparison)`) : undefined;
  if (!parsed?.ok) {
    const why = parsed && !parsed.ok ? parsed.error : stderr.slice(-3).join(' ') || `optlab exited with ${code}`;
    void vscode.window.showErrorMessage(`Optimizer Lab: the tuned comparison failed: ${why}`);
    return;
  }
  DashboardPanel.showSweep(parsed.message);
  ctx.showDashboard();
}
