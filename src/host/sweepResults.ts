/** "Optimizer Lab: Open Sweep Results…": pick a sweep JSON, check it, show it in the dashboard's Sweep card. */
import * as vscode from 'vscode';
import { DashboardPanel } from './dashboardPanel';
import { parseSweepFile } from './sweepFile';

export async function openSweepResults(showDashboard: () => void, log: (message: string) => void): Promise<void> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false, openLabel: 'Open sweep', title: 'Sweep results (optlab sweep --json)', filters: { 'Sweep JSON': ['json'] },
  });
  const uri = picked?.[0];
  if (!uri) return;
  const name = vscode.workspace.asRelativePath(uri);
  let text: string;
  try {
    text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch (e) {
    void vscode.window.showErrorMessage(`Optimizer Lab: cannot read ${name}: ${(e as Error).message}`);
    return;
  }
  const parsed = parseSweepFile(text, name);
  if (!parsed.ok) {
    log(parsed.error);
    void vscode.window.showErrorMessage(`Optimizer Lab: ${parsed.error}`);
    return;
  }
  // Kept by the panel: a dashboard opened now, or reloaded later, gets it after its snapshot.
  DashboardPanel.showSweep(parsed.message);
  showDashboard();
}
