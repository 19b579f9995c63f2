import { arraysOnTensors } from '../arrays/arraysOnTensors';
import { lbfgsArrays } from '../arrays/lbfgsArrays';
import { nonNegative, resolveHyperparams, type HpSpec } from '../hyperparams';
import type { OptimizerFactory } from '../optimizer';
import { hpNumber } from './commonHyperparams';

const positiveInteger = (name: string) => (v: unknown) =>
  typeof v === 'number' && Number.isInteger(v) && v >= 1 ? undefined : `${name} must be an integer >= 1, got ${String(v)}`;

const hyperparams: readonly HpSpec[] = [
  { name: 'history_size', kind: 'number', default: 100, doc: 'curvature pairs kept (update history size)', check: positiveInteger('history_size') },
  {
    name: 'line_search_fn',
    kind: 'enum',
    default: 'none',
    values: ['none', 'strong_wolfe'],
    doc: "'strong_wolfe': line search for the step; 'none': fixed step lr",
  },
  { name: 'tolerance_grad', kind: 'number', default: 1e-7, doc: 'stop when max|g| is at most this', check: nonNegative },
  { name: 'tolerance_change', kind: 'number', default: 1e-9, doc: 'stop when the directional derivative is above −this', check: nonNegative },
];

/**
 * torch.optim.LBFGS with max_iter=1: one update is one L-BFGS iteration. The
 * first step is −g scaled by t = min(1, 1/|g|₁)·lr; later steps use the
 * two-loop recursion over the last history_size pairs (s = t·d, y = Δg), with
 * H₀ = yᵀs/yᵀy, and t = lr or a strong-Wolfe line search from t = lr.
 * Written once, on plain arrays (../arrays/lbfgsArrays.ts), in torch's float32 rounding; runs on
 * tensors through arraysOnTensors; the training loop runs the array form itself.
 */
export const lbfgs: OptimizerFactory = {
  id: 'lbfgs',
  summary: 'Limited-memory BFGS (one iteration per step), optionally with a strong-Wolfe line search',
  torchName: 'torch.optim.LBFGS',
  reference: 'torch.optim.LBFGS',
  family: 'quasi-newton',
  defaultLr: 1,
  hyperparams,
  create(given) {
    const hp = resolveHyperparams('lbfgs', hyperparams, given);
    const arrays = lbfgsArrays({
      historySize: hpNumber(hp, 'history_size'),
      toleranceGrad: hpNumber(hp, 'tolerance_grad'),
      toleranceChange: hpNumber(hp, 'tolerance_change'),
      useLineSearch: hp.line_search_fn === 'strong_wolfe',
    });
    return arraysOnTensors('lbfgs', hp, arrays);
  },
};
