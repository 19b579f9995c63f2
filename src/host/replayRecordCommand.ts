/**
 * "Open Replay Record": a run shared from another workspace (the runs table's "share", or a report's)
 * runs here with the recorded settings and seed, the objective found by its trailing path in this
 * workspace. When it starts and when it ends it says what differs from the record: a changed source
 * hash, another backend or TensorFlow.js version, another final loss — or that it reproduced the run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseReplayRecord, replayDifferences, requestOfRecord, trailingPaths, type ReplayRecord } from '../protocol/replayRecord';
import { requireTrust, run, type CommandContext } from './commands';
import { originOf } from './runHistory/savedRequest';

/** The recorded file in this workspace: the same absolute path when it exists, else its longest trailing path under a folder. */
export function findRecordedFile(file: string, folders: readonly string[], exists: (p: string) => boolean = fs.existsSync): string | undefined {
  if (path.isAbsolute(file) && exists(file)) return file;
  for (const tail of trailingPaths(file)) {
    for (const folder of folders) {
      const candidate = path.join(folder, tail);
      if (exists(candidate)) return candidate;
    }
  }
  return undefined;
}

/** The record to open: given (a link's argument), else pasted, the clipboard offered when it holds one. */
async function recordText(given: string | undefined): Promise<string | undefined> {
  if (given) return given;
  const clip = await vscode.env.clipboard.readText();
  return vscode.window.showInputBox({
    title: 'Open Replay Record', prompt: 'Paste a replay record: its link (optimizer-lab-replay:…) or its JSON',
    value: 'record' in parseReplayRecord(clip) ? clip : '', ignoreFocusOut: true,
    validateInput: (v) => { const p = parseReplayRecord(v); return 'problem' in p ? p.problem : undefined; },
  });
}

/** Says, once the run starts and once it ends, what differs from the record. */
function watchReplay(ctx: CommandContext, record: ReplayRecord, runId: string): void {
  const say = (lines: string[], end: boolean): void => {
    for (const line of lines) ctx.log(`replay of ${record.objective.name}: ${line}`);
    if (lines.length > 0) void vscode.window.showWarningMessage(`Optimizer Lab: replay record: ${lines.join('; ')}.`);
    else if (end) void vscode.window.showInformationMessage(`Optimizer Lab: the replay reproduced the record (final loss ${record.final?.loss ?? 'not recorded'}).`);
  };
  const sub = ctx.controller.listen({
    runEvent: (e) => {
      if (e.runId !== runId) return;
      if (e.type === 'started') say(replayDifferences(record, e.meta).filter((l) => !l.startsWith('final loss')), false);
      if (e.type === 'done' || e.type === 'error') {
        sub.dispose();
        const meta = ctx.controller.state.run(runId)?.meta;
        if (e.type === 'done' && meta) say(replayDifferences(record, meta, e.final.loss).filter((l) => l.startsWith('final loss')), true);
      }
    },
  });
}

export async function openReplayRecord(ctx: CommandContext, given?: string): Promise<string[]> {
  if (!requireTrust()) return [];
  const text = await recordText(given);
  if (!text) return [];
  const parsed = parseReplayRecord(text);
  if ('problem' in parsed) {
    void vscode.window.showErrorMessage(`Optimizer Lab: ${parsed.problem}.`);
    return [];
  }
  const { record } = parsed;
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  const file = findRecordedFile(record.objective.file, folders);
  const ruleFile = record.settings.ruleFile !== undefined ? findRecordedFile(record.settings.ruleFile, folders) : undefined;
  const missing = !file ? record.objective.file : record.settings.ruleFile !== undefined && !ruleFile ? record.settings.ruleFile : undefined;
  if (!file || missing) {
    void vscode.window.showErrorMessage(`Optimizer Lab: the replay record's file ${missing ?? ''} is not in this workspace (looked for ${trailingPaths(missing ?? '').join(', ')}).`);
    return [];
  }
  // Only rules the workspace scan found run, as from the dashboard.
  if (ruleFile && !ctx.catalog.hasRule(ruleFile, record.settings.optimizer)) {
    void vscode.window.showErrorMessage(`Optimizer Lab: ${ruleFile} does not export the rule ${record.settings.optimizer}.`);
    return [];
  }
  const origin = originOf(requestOfRecord(record, file, ruleFile));
  const ids = run(ctx, origin.target, [origin.choice], 'replace', `Optimizer Lab: replaying ${record.settings.optimizer} on ${record.objective.name}`);
  if (ids[0]) watchReplay(ctx, record, ids[0]);
  return ids;
}
