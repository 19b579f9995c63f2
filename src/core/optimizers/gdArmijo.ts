import * as tf from '@tensorflow/tfjs';
import { resolveHyperparams, type HpSpec, type HpValue } from '../hyperparams';
import type { Optimizer, OptimizerFactory, OptimizerState } from '../optimizer';
import { armijoBacktracking } from '../lineSearch/armijoBacktracking';
import { hpNumber } from './commonHyperparams';
import { lossAlong, lossAndGradNormSquared } from './lossAlong';

const inOpenUnitInterval = (v: HpValue): string | undefined =>
  typeof v === 'number' && v > 0 && v < 1 ? undefined : `must be in (0, 1), got ${String(v)}`;
const nonNegativeInteger = (v: HpValue): string | undefined =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 ? undefined : `must be an integer >= 0, got ${String(v)}`;

const hyperparams: readonly HpSpec[] = [
  { name: 'beta', kind: 'number', default: 0.5, doc: 'step shrink factor per backtrack', check: inOpenUnitInterval },
  { name: 'c', kind: 'number', default: 1e-4, doc: 'sufficient-decrease constant: f(x − t·g) ≤ f(x) − c·t·|g|²', check: inOpenUnitInterval },
  { name: 'max_backtracks', kind: 'number', default: 50, doc: 'shrinks tried before giving up (and not moving)', check: nonNegativeInteger },
];

/**
 * Gradient descent with a backtracking (Armijo) line search: from t = lr,
 * t ← β·t until f(x − t·g) ≤ f(x) − c·t·|g|²; x ← x − t·g. When no trial
 * qualifies within max_backtracks the point stays put (info.accepted = false).
 * Each trial is one extra evaluation; info.trials lists the steps tried.
 */
export const gdArmijo: OptimizerFactory = {
  id: 'gd-armijo',
  summary: 'Gradient descent with a backtracking (Armijo) line search',
  torchName: '(none: torch.optim has no Armijo line search)',
  reference: 'Armijo 1966, Minimization of functions having Lipschitz continuous first partial derivatives (backtracking)',
  family: 'line search',
  defaultLr: 1,
  hyperparams,
  create(given) {
    const hp = resolveHyperparams('gd-armijo', hyperparams, given);
    const beta = hpNumber(hp, 'beta');
    const c = hpNumber(hp, 'c');
    const maxBacktracks = hpNumber(hp, 'max_backtracks');
    const optimizer: Optimizer<OptimizerState> = {
      id: 'gd-armijo',
      hp,
      arraysUnavailable: 'gd-armijo backtracks with extra loss evaluations per step, on tensors',
      init: () => ({}),
      update(input, state) {
        const { f, gg } = lossAndGradNormSquared(input.loss, input.grad);
        const direction = tf.neg(input.grad) as tf.Tensor1D;
        const ls = armijoBacktracking(lossAlong(input.evaluate, input.params, direction), f, -gg, {
          t0: input.lr,
          beta,
          c,
          maxBacktracks,
        });
        const params = tf.tidy(() => tf.add(input.params, tf.mul(direction, ls.t)) as tf.Tensor1D);
        direction.dispose();
        return {
          params,
          state,
          extraEvals: ls.trials.length,
          info: { t: ls.t, accepted: ls.accepted, trials: ls.trials },
        };
      },
      disposeState: () => undefined,
    };
    return optimizer;
  },
};
