/** Captions of the Sweep card's parallel coordinates and importance bars: what is drawn and what was computed. */
import type { SweepResult } from '../../src/protocol/sweep';
import { MAX_GROUPS, type ImportanceResult } from './importance';
import type { ParallelModel } from './parallelModel';

export function parallelCaption(model: ParallelModel): string {
  const diverged = model.lines.filter((l) => l.diverged).length;
  return [
    `${model.lines.length} runs, one line each through its hyperparameters and its final loss (${model.logLoss ? 'log scale' : 'linear scale'})`,
    'colour = final loss (viridis, dark = lowest; the lowest drawn on top)',
    diverged > 0 ? `${diverged} diverged or without a finite loss: grey dashed, ending at 'diverged' above the loss axis` : 'no run diverged',
  ].join(' · ');
}

export function importanceCaption(result: SweepResult, importance: ImportanceResult): string {
  const target = importance.logLoss ? 'log10 of the final loss' : 'the final loss (a loss ≤ 0: no log)';
  const groups = result.mode === 'grid' ? 'its grid values as groups' : `a ${result.mode} search's values in up to ${MAX_GROUPS} equal-count bins`;
  const diverged = importance.diverged > 0 ? `; the ${importance.diverged} diverged runs count as a decade above the worst finished run` : '';
  return `What we compute: the share of the variance of ${target} over all ${result.runs.length} runs that each hyperparameter explains alone (its main effect, η² = between-group / total variance, fANOVA-lite), with ${groups}${diverged}. Interactions, seeds and binning leave ${Math.round(importance.rest * 100)}% unexplained.`;
}
