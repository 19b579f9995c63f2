/**
 * "Optimizer Lab: Compare optimizers (tuned)…" and the dashboard's "Compare (tuned)": the editor's way to
 * `optlab sweep --compare` (src/runner/tunedComparison.ts), run by the CLI bundle in a child process (./sweepCli.ts).
 * The palette picks the objective and the built-in optimizers; the dashboard sends its own (its runs' optimizers and
 * the menu's) and its steps. Both ask for the lr grid, say the budget each optimizer gets, and open the result in the
 * dashboard's Sweep card, which says that budget again.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TunedCompareAsk } from '../protocol/sweepAsks';
import { COMPARE_DEFAULT_GRID, COMPARE_DEFAULT_SEEDS } from '../runner/cliArgs';
import { gridSize } from '../runner/sweepArgs';
import type { BuiltInOptimizers } from './builtInOptimizers';
import { documentOf, requireTrust } from './commands';
import type { SourceSites } from './discovery/sites';
import type { RunSettings } from './runSettings';
import { forkSweepCli, showSweepJson, sweepJsonPath, type SweepCliRunner } from './sweepCli';

export { progressOf } from './sweepCli';

export interface TunedCompareContext {
  readonly extensionUri: vscode.Uri;
  readonly settings: () => RunSettings;
  readonly optimizers: BuiltInOptimizers;
  readonly sites: (text: string) => Promise<SourceSites>;
  readonly showDashboard: () => void;
  readonly log: (message: string) => void;
  /** Runs the CLI (tests pass a fake); default: dist/cli.js in a child process. */
  readonly runCli?: SweepCliRunner;
}

/** The CLI's arguments for a tuned comparison. */
export function compareArgs(file: string, objective: string, ids: readonly string[], grid: string, steps: number, json: string): string[] {
  return ['sweep', file, '--objective', objective, '--compare', ids.join(','), '--grid', grid, '--steps', String(steps), '--seeds', String(COMPARE_DEFAULT_SEEDS), '--json', json];
}

/** What each optimizer's tuning gets, in words ("11 configurations × 500 steps = 5,500 steps each"); undefined for a grid that does not parse. */
export function compareBudget(grid: string, steps: number): string | undefined {
  const configurations = gridSize([grid]);
  if (configurations === undefined) return undefined;
  return `${configurations} configurations × ${steps} steps = ${(configurations * steps).toLocaleString('en-US')} steps for each optimizer's tuning, then its best on ${COMPARE_DEFAULT_SEEDS} held-out seeds`;
}

/** The dashboard's optimizers the comparison takes: built-ins the catalogue knows, each once, in the dashboard's order. */
export function dashboardCompareIds(asked: readonly string[], builtIns: readonly string[]): string[] {
  return [...new Set(asked.filter((id) => builtIns.includes(id)))];
}

interface CompareTarget {
  readonly file: string;
  readonly objective: string;
  readonly ids: readonly string[];
  readonly steps: number;
}

/** Optimizers to compare: `preset` when it names two or more, else a multi-pick with them (or sgd and adam) ticked. */
async function pickOptimizers(ctx: TunedCompareContext, preset: readonly string[]): Promise<string[] | undefined> {
  if (preset.length >= 2) return [...preset];
  const ticked = preset.length > 0 ? preset : ['sgd', 'adam'];
  const items = (await ctx.optimizers.loaded).map((o) => ({ label: o.id, picked: ticked.includes(o.id) }));
  const picked = await vscode.window.showQuickPick(items, { title: 'Optimizers to tune and compare (the same budget each)', canPickMany: true });
  return picked && picked.length >= 2 ? picked.map((p) => p.label) : undefined;
}

/** The grid, asked with the budget it gives each optimizer in the prompt. */
async function askGrid(steps: number): Promise<string | undefined> {
  return vscode.window.showInputBox({
    title: 'Grid each optimizer is tuned over (the same for all)', value: COMPARE_DEFAULT_GRID,
    prompt: `NAME=from:to:log|lin:count or NAME=a,b,c (optlab sweep --grid). Budget: ${compareBudget(COMPARE_DEFAULT_GRID, steps) ?? ''}`,
    validateInput: (value) => (compareBudget(value, steps) ? undefined : 'not a grid: lr=1e-5:1:log:11 or lr=0.001,0.01,0.1'),
  });
}

/**
 * The objective a sweep command runs on: `name` in `uri`'s file (a lens), else one exported by the active file (picked
 * when it has several). The file is saved first: the CLI reads it from disk.
 */
export async function pickObjectiveFile(
  ctx: Pick<TunedCompareContext, 'sites'>, what: string, uri?: vscode.Uri, name?: string,
): Promise<{ file: string; objective: string } | undefined> {
  const document = await documentOf(uri);
  const objectives = document ? (await ctx.sites(document.getText())).objectives.filter((s) => s.exported && !s.problem).map((s) => s.name) : [];
  if (!document || objectives.length === 0) {
    void vscode.window.showInformationMessage(`Optimizer Lab: open an objective file to run ${what} on it.`);
    return undefined;
  }
  const objective = name && objectives.includes(name) ? name
    : objectives.length === 1 ? objectives[0] : await vscode.window.showQuickPick(objectives, { title: `Objective for the ${what}` });
  if (!objective) return undefined;
  if (document.isDirty) await document.save();
  return { file: document.uri.fsPath, objective };
}

async function askPalette(ctx: TunedCompareContext): Promise<CompareTarget | undefined> {
  const on = await pickObjectiveFile(ctx, 'tuned comparison');
  const ids = on ? await pickOptimizers(ctx, []) : undefined;
  return on && ids ? { ...on, ids, steps: ctx.settings().steps } : undefined;
}

/** Tunes and compares `target`'s optimizers: asks the grid, runs the CLI, opens the result. */
async function runComparison(ctx: TunedCompareContext, target: CompareTarget): Promise<boolean> {
  const grid = await askGrid(target.steps);
  if (!grid) return false;
  const json = sweepJsonPath('compare');
  const args = compareArgs(target.file, target.objective, target.ids, grid, target.steps, json);
  ctx.log(`tuned comparison: ${compareBudget(grid, target.steps)}`);
  const run = ctx.runCli ?? forkSweepCli(ctx.extensionUri, ctx.log);
  const exit = await run(args, path.dirname(target.file), `Optimizer Lab: tuning ${target.ids.join(', ')} on ${target.objective} (${compareBudget(grid, target.steps)})`);
  return showSweepJson(json, `${target.objective} (tuned comparison)`, exit, 'the tuned comparison', ctx.showDashboard);
}

export async function tunedCompare(ctx: TunedCompareContext): Promise<void> {
  if (!requireTrust()) return;
  const target = await askPalette(ctx);
  if (target) await runComparison(ctx, target);
}

/** The dashboard's "Compare (tuned)": its objective (its runs' target), its optimizers and steps. */
export async function tunedCompareFromDashboard(ctx: TunedCompareContext, on: { file: string; objective?: string } | undefined, ask: TunedCompareAsk): Promise<boolean> {
  if (!requireTrust()) return false;
  if (!on?.objective) {
    void vscode.window.showInformationMessage('Optimizer Lab: run an objective first (its lens or the palette); Compare (tuned) then tunes the dashboard\'s optimizers on it.');
    return false;
  }
  const ids = await pickOptimizers(ctx, dashboardCompareIds(ask.optimizers, (await ctx.optimizers.loaded).map((o) => o.id)));
  if (!ids) return false;
  return runComparison(ctx, { file: on.file, objective: on.objective, ids, steps: ask.steps });
}
