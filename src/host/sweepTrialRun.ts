/**
 * A sweep's run as a normal dashboard run: the objective file and name the sweep wrote, and the run's optimizer,
 * lr, hyperparameters (defaults included), seed and steps, with no schedule (a sweep runs none). A tuned
 * comparison's run names its optimizer in the `optimizer` dimension. No vscode here, so it is tested directly.
 */
import type { SweepResult } from '../protocol/sweep';
import { OPTIMIZER_DIMENSION } from '../runner/tunedComparison';
import type { RunChoice, RunTarget } from './runSettings';

export type SweepTrialRun = { ok: true; target: RunTarget; choice: RunChoice } | { ok: false; error: string };

/** The rule file of optimizer `id` in this sweep, if it is a rule. */
function ruleFileOf(result: SweepResult, id: string): string | undefined {
  if (result.comparison) return result.comparison.optimizers.find((o) => o.id === id)?.file;
  return result.optimizer.id === id ? result.optimizer.file : undefined;
}

export function sweepTrialRun(result: SweepResult, index: number): SweepTrialRun {
  const run = result.runs[index];
  if (!run) return { ok: false, error: `the sweep has no run ${index}` };
  if (result.file === undefined) return { ok: false, error: 'this sweep file does not name its objective file (written before optlab sweep recorded it): run the sweep again' };
  const optimizer = result.comparison ? run.point[OPTIMIZER_DIMENSION] : result.optimizer.id;
  if (optimizer === undefined) return { ok: false, error: `run ${index} of the tuned comparison names no optimizer` };
  const ruleFile = ruleFileOf(result, optimizer);
  return {
    ok: true,
    target: { file: result.file, ...(result.objective ? { objective: result.objective } : {}) },
    choice: {
      optimizer,
      ...(ruleFile !== undefined ? { rule: { file: ruleFile } } : {}),
      lr: run.lr, hp: { ...run.hp }, seed: run.seed, steps: result.steps,
      // The sweep ran without a schedule: an empty spec keeps the settings' schedule out.
      schedule: '',
    },
  };
}
