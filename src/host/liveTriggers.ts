/**
 * What an edit starts in live mode, as plain data (LiveMode is the vscode
 * adapter): an edit re-runs when live mode is on for the edited file, or when
 * the file is the optimizer rule of a run whose objective file is live; a
 * live file with no runs yet starts its first objective, or its first rule on
 * the objective "▶ Try on …" would use.
 */
import type { RunOrigin } from './dashboardState';
import type { SourceSites } from './discovery/sites';
import type { RunChoice, RunTarget } from './runSettings';
import type { ObjectiveRef } from './workspaceCatalog';

/** Whether an edit of `file` re-runs: it is live, or it is the rule file of a current run of a live objective file. */
export function liveTrigger(file: string, liveFiles: ReadonlySet<string>, origins: readonly RunOrigin[]): boolean {
  if (liveFiles.has(file)) return true;
  return origins.some((o) => o.choice.rule?.file === file && liveFiles.has(o.target.file));
}

/** The run a live file starts when the dashboard has no run that uses it. */
export interface LiveFallback {
  readonly edit: RunTarget & { text: string };
  readonly choice: RunChoice;
  /** Where the choice runs when it is not the edited file (a rule runs on an objective). */
  readonly target?: RunTarget;
}

/** `sites` are the edited text's (discovery/findSites.ts). */
export function liveFallback(file: string, text: string, sites: SourceSites, tryOn: () => (ObjectiveRef & { text?: string }) | undefined): LiveFallback {
  const objective = sites.objectives.find((s) => s.exported && !s.problem);
  if (objective) return { edit: { file, text, objective: objective.name }, choice: {} };
  const rule = sites.rules.find((r) => r.exported && !r.problem);
  const on = rule ? tryOn() : undefined;
  if (!rule || !on) return { edit: { file, text }, choice: {} };
  return {
    edit: { file, text },
    choice: { optimizer: rule.name, rule: { file, text } },
    target: { file: on.file, objective: on.objective, ...(on.text !== undefined ? { text: on.text } : {}) },
  };
}
