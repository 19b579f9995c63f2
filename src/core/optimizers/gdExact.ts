import * as tf from '@tensorflow/tfjs';
import { resolveHyperparams, type HpSpec, type HpValue } from '../hyperparams';
import type { Optimizer, OptimizerFactory, OptimizerState } from '../optimizer';
import { bracketMinimum } from '../lineSearch/bracketMinimum';
import { brentMinimize } from '../lineSearch/brentMinimize';
import { hpNumber } from './commonHyperparams';
import { lossAlong } from './lossAlong';

const positive = (v: HpValue): string | undefined =>
  typeof v === 'number' && v > 0 && Number.isFinite(v) ? undefined : `must be > 0, got ${String(v)}`;
const atLeastTwo = (v: HpValue): string | undefined =>
  typeof v === 'number' && Number.isInteger(v) && v >= 2 ? undefined : `must be an integer >= 2, got ${String(v)}`;

const hyperparams: readonly HpSpec[] = [
  {
    name: 'tol',
    kind: 'number',
    default: 1e-5,
    // float32 losses resolve α to about sqrt(1.2e-7) ≈ 3e-4 relative: smaller values buy little.
    doc: 'relative tolerance on the step α of the 1-D minimisation',
    check: positive,
  },
  { name: 'max_evals', kind: 'number', default: 50, doc: 'evaluations allowed per line search (bracketing + Brent)', check: atLeastTwo },
];

/**
 * Gradient descent with an exact line search: α = argmin φ(α), φ(α) = f(x − α·∇f),
 * found by bracketing from α = lr (golden-ratio expansion or shrinking) and
 * Brent's method; x ← x − α·∇f. info.trials lists every α evaluated, in order;
 * info.alpha is the chosen one (0 when no trial beat φ(0)).
 */
export const gdExact: OptimizerFactory = {
  id: 'gd-exact',
  summary: 'Gradient descent with an exact (Brent) line search along −∇f',
  torchName: '(none: torch.optim has no exact line search)',
  reference: 'Brent 1973, Algorithms for Minimization without Derivatives (exact line search along the negative gradient)',
  family: 'line search',
  defaultLr: 1,
  hyperparams,
  create(given) {
    const hp = resolveHyperparams('gd-exact', hyperparams, given);
    const tol = hpNumber(hp, 'tol');
    const maxEvals = hpNumber(hp, 'max_evals');
    const optimizer: Optimizer<OptimizerState> = {
      id: 'gd-exact',
      hp,
      arraysUnavailable: 'gd-exact minimises along the gradient with extra loss evaluations per step (Brent), on tensors',
      init: () => ({}),
      update(input, state) {
        const f0 = input.loss.dataSync()[0];
        const direction = tf.neg(input.grad) as tf.Tensor1D;
        const along = lossAlong(input.evaluate, input.params, direction);
        const trials: number[] = [];
        let best = { alpha: 0, f: f0 };
        const phi = (alpha: number): number => {
          const f = along(alpha);
          trials.push(alpha);
          if (f < best.f) best = { alpha, f };
          return f;
        };
        const bracket = input.lr > 0 ? bracketMinimum(phi, f0, input.lr, maxEvals) : undefined;
        let converged = false;
        if (bracket) converged = brentMinimize(phi, bracket, tol, maxEvals - trials.length).converged;
        const params = tf.tidy(() => tf.add(input.params, tf.mul(direction, best.alpha)) as tf.Tensor1D);
        direction.dispose();
        return {
          params,
          state,
          extraEvals: trials.length,
          info: { alpha: best.alpha, trials, bracketed: bracket !== undefined, converged },
        };
      },
      disposeState: () => undefined,
    };
    return optimizer;
  },
};
