/**
 * The code lenses above optimizer rules, as plain data: `▶ Try on <objective>`
 * and `Compare with adam`, the last result inline after a run, or one lens
 * that says why the rule cannot run. The vscode adapter (ruleLenses.ts) only
 * turns these into CodeLens objects.
 */
import type { RunSnapshot } from '../protocol/webview';
import { COMMANDS } from './commandIds';
import type { RuleSite } from './discovery/sites';
import { problemTitle, summarizeRun } from './lensTitles';
import type { ObjectiveRef } from './workspaceCatalog';

/** The built-in optimizer a rule is compared with. */
export const COMPARE_WITH = 'adam';

export interface RuleLens {
  /** 0-based position of the rule's declaration. */
  readonly line: number;
  readonly column: number;
  readonly title: string;
  /** '' for a lens that only informs. */
  readonly command: string;
  /** The rule's export name. */
  readonly rule: string;
  /** The lens passes (document uri, rule name) to its command when true. */
  readonly withRule: boolean;
  readonly tooltip?: string;
}

export interface RuleLensInputs {
  readonly trusted: boolean;
  /** The objective the rule would run on (undefined: none in the workspace). */
  readonly target: ObjectiveRef | undefined;
  /** The last finished run of a rule of this file, by rule name. */
  readonly lastRun: (rule: string) => RunSnapshot | undefined;
}

export function ruleLenses(sites: readonly RuleSite[], inputs: RuleLensInputs): RuleLens[] {
  const lenses: RuleLens[] = [];
  for (const site of sites) {
    const at = { line: site.line, column: site.column, rule: site.name };
    if (!inputs.trusted) {
      lenses.push({ ...at, title: '$(lock) Optimizer Lab: trust this workspace to run optimizer rules', command: 'workbench.trust.manage', withRule: false });
      continue;
    }
    if (site.problem) {
      lenses.push({ ...at, title: problemTitle(site.problem), command: '', withRule: false, tooltip: site.problem });
      continue;
    }
    const target = inputs.target;
    if (!target) {
      lenses.push({
        ...at, title: '▶ Try (no objective in the workspace yet)', command: COMMANDS.tryRule, withRule: true,
        tooltip: 'Write an objective first: "Optimizer Lab: New objective file"',
      });
      continue;
    }
    const last = inputs.lastRun(site.name);
    const summary = last ? summarizeRun(last) : undefined;
    lenses.push(
      {
        ...at, title: `▶ Try on ${target.objective}${summary ? ` · ${summary}` : ''}`, command: COMMANDS.tryRule, withRule: true,
        tooltip: `Run ${site.name} on ${target.objective} (the objective run last, else the first one in the workspace)`,
      },
      { ...at, title: `Compare with ${COMPARE_WITH}`, command: COMMANDS.compareRule, withRule: true, tooltip: `${site.name} and the built-in ${COMPARE_WITH} side by side on ${target.objective}` },
    );
  }
  return lenses;
}
