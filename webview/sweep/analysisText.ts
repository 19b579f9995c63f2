/** Captions of the Sweep card's parallel coordinates and importance bars: what is drawn and what was computed. */
import type { SweepResult } from '../../src/protocol/sweep';
import { MAX_GROUPS, type ImportanceResult } from './importance';
import { pairBins, RUNS_PER_CELL } from './interactions';
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
  return `What we compute: the share of the variance of ${target} over all ${result.runs.length} runs that each hyperparameter explains alone (its main effect, η² = between-group / total variance, fANOVA-lite), with ${groups}${diverged}.${pairsText(result, importance)} Higher-order interactions, seeds and binning leave ${Math.round(importance.rest * 100)}% unexplained.`;
}

/** The pairs' bars: what each adds beyond its two main effects. */
function pairsText(result: SweepResult, importance: ImportanceResult): string {
  if (importance.pairs.length === 0) return '';
  const b = pairBins(result.runs.length);
  const bins = result.mode === 'grid' ? 'cells of the grid' : `${b}×${b} cells of equal-count bins (about ${RUNS_PER_CELL} runs a cell)`;
  return ` Second colour: each pair's interaction, the share its ${bins} explain beyond both main effects (two-way η²_AB, fANOVA's second order on a grid; cut at 0).`;
}
