/**
 * "Optimizer Lab: Run sweep…" (palette, and "Sweep lr…" beside the dashboard's Compare): `optlab sweep` on an
 * objective with one optimizer over a grid picked from a few sensible ones (the lr on a log grid around the
 * optimizer's default first), run by the CLI in a child process with cancellable progress (./sweepCli.ts); the
 * result opens in the dashboard's Sweep card.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunSweepAsk } from '../protocol/sweepAsks';
import type { OptimizerInfo } from '../protocol/runner';
import { gridSize } from '../runner/sweepArgs';
import { requireTrust } from './commands';
import { forkSweepCli, showSweepJson, sweepJsonPath } from './sweepCli';
import { pickObjectiveFile, type TunedCompareContext } from './tunedCompareCommand';

export { gridSize };

export interface SweepRunContext extends TunedCompareContext {
  /** Whether the workspace exports rule `name` from `file` (the dashboard's menu may name one). */
  readonly hasRule?: (file: string, name: string) => boolean;
}

/** The optimizer as the CLI names it: a built-in's id, or a rule's FILE#NAME. */
export interface SweptOptimizer {
  readonly id: string;
  readonly rule?: { readonly file: string };
}

/** A grid the quick pick offers: its --grid flags (several form the product) and how it reads. */
export interface GridChoice {
  readonly label: string;
  readonly grids: readonly string[];
}

const round = (x: number): string => String(Number(x.toPrecision(2)));

/** The grids offered for an optimizer, the default first: its lr around its default (1/100 … 10×, 16 on a log scale). */
export function gridChoices(info: Pick<OptimizerInfo, 'defaultLr' | 'hyperparams'> | undefined): GridChoice[] {
  const lr = info?.defaultLr ?? 1e-3;
  const choices: GridChoice[] = [
    { label: `lr ${round(lr / 100)} … ${round(lr * 10)}, 16 values (log)`, grids: [`lr=${round(lr / 100)}:${round(lr * 10)}:log:16`] },
    { label: 'lr 1e-5 … 1, 11 values (log)', grids: ['lr=1e-5:1:log:11'] },
  ];
  if (info?.hyperparams.some((h) => h.name === 'momentum')) {
    choices.push({ label: `lr ${round(lr / 10)} … ${round(lr * 10)} (5, log) × momentum 0, 0.5, 0.9`, grids: [`lr=${round(lr / 10)}:${round(lr * 10)}:log:5`, 'momentum=0,0.5,0.9'] });
  }
  return choices;
}

/** The CLI's arguments for the sweep. */
export function sweepArgs(file: string, objective: string, optimizer: SweptOptimizer, grids: readonly string[], steps: number, json: string): string[] {
  const id = optimizer.rule ? `${optimizer.rule.file}#${optimizer.id}` : optimizer.id;
  return ['sweep', file, '--objective', objective, '--optimizer', id, ...grids.flatMap((g) => ['--grid', g]), '--steps', String(steps), '--json', json];
}

/** Picks a grid (its size and steps in each item's description), or types one. */
async function pickGrid(info: OptimizerInfo | undefined, steps: number): Promise<readonly string[] | undefined> {
  const custom = { label: 'Custom…', description: 'NAME=from:to:log|lin:count or NAME=a,b,c; several separated by spaces', grids: [] as readonly string[] };
  const items = [...gridChoices(info).map((c) => ({ ...c, description: `${gridSize(c.grids)} configurations × ${steps} steps` })), custom];
  const picked = await vscode.window.showQuickPick(items, { title: `Grid to sweep ${info?.id ?? ''} over` });
  if (!picked) return undefined;
  if (picked !== custom) return picked.grids;
  const typed = await vscode.window.showInputBox({
    title: 'Grid (optlab sweep --grid; several form the product)', value: items[0].grids.join(' '),
    validateInput: (v) => (gridSize(v.trim().split(/\s+/)) ? undefined : 'not a grid: lr=1e-4:1e-1:log:16 momentum=0,0.9'),
  });
  return typed ? typed.trim().split(/\s+/) : undefined;
}

/** Runs the sweep and opens its result; true when the Sweep card got one. */
async function sweep(ctx: SweepRunContext, on: { file: string; objective: string }, optimizer: SweptOptimizer, steps: number): Promise<boolean> {
  const info = optimizer.rule ? undefined : (await ctx.optimizers.loaded).find((o) => o.id === optimizer.id);
  const grids = await pickGrid(info, steps);
  if (!grids) return false;
  const json = sweepJsonPath('sweep');
  const args = sweepArgs(on.file, on.objective, optimizer, grids, steps, json);
  const run = ctx.runCli ?? forkSweepCli(ctx.extensionUri, ctx.log);
  const exit = await run(args, path.dirname(on.file), `Optimizer Lab: sweeping ${optimizer.id} on ${on.objective} (${gridSize(grids)} configurations × ${steps} steps)`);
  return showSweepJson(json, `${on.objective} (${optimizer.id} sweep)`, exit, 'the sweep', ctx.showDashboard);
}

/** The palette's (or a lens's: `uri`, `name`) Run sweep…: the objective, then the optimizer (the default one first), then the grid. */
export async function runSweepCommand(ctx: SweepRunContext, uri?: vscode.Uri, name?: string): Promise<boolean> {
  if (!requireTrust()) return false;
  const on = await pickObjectiveFile(ctx, 'sweep', uri, name);
  if (!on) return false;
  const first = ctx.settings().defaultOptimizer;
  const ids = (await ctx.optimizers.loaded).map((o) => o.id).sort((a, b) => Number(b === first) - Number(a === first));
  const id = await vscode.window.showQuickPick(ids, { title: 'Optimizer to sweep' });
  return id ? sweep(ctx, on, { id }, ctx.settings().steps) : false;
}

/** The dashboard's "Sweep lr…": its objective (its runs' target), the menu's optimizer, its steps. */
export async function runSweepFromDashboard(ctx: SweepRunContext, on: { file: string; objective?: string } | undefined, ask: RunSweepAsk): Promise<boolean> {
  if (!requireTrust()) return false;
  const rule = ask.optimizer.rule;
  if (rule && !ctx.hasRule?.(rule.file, ask.optimizer.id)) {
    ctx.log(`dashboard asked to sweep rule '${ask.optimizer.id}' in ${rule.file}, which the workspace does not export`);
    return false;
  }
  if (!on?.objective) {
    void vscode.window.showInformationMessage('Optimizer Lab: run an objective first (its lens or the palette); Sweep lr… then sweeps it.');
    return false;
  }
  return sweep(ctx, { file: on.file, objective: on.objective }, ask.optimizer, ask.steps);
}
