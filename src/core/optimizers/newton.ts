import * as tf from '@tensorflow/tfjs';
import { resolveHyperparams, nonNegative, type HpSpec, type HpValue } from '../hyperparams';
import type { Optimizer, OptimizerFactory, OptimizerState, StepInput } from '../optimizer';
import { hpNumber } from './commonHyperparams';
import { denseNewtonDirection } from './denseNewtonDirection';
import { newtonCg } from './newtonCg';

const nonNegativeInteger = (v: HpValue): string | undefined =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 ? undefined : `must be an integer >= 0, got ${String(v)}`;
const positiveInteger = (v: HpValue): string | undefined =>
  typeof v === 'number' && Number.isInteger(v) && v >= 1 ? undefined : `must be an integer >= 1, got ${String(v)}`;
const positive = (v: HpValue): string | undefined =>
  typeof v === 'number' && v > 0 && Number.isFinite(v) ? undefined : `must be > 0, got ${String(v)}`;

const hyperparams: readonly HpSpec[] = [
  { name: 'damping', kind: 'number', default: 0, doc: 'λ in (H + λI)⁻¹g (Levenberg damping)', check: nonNegative },
  {
    name: 'exact_threshold',
    kind: 'number',
    default: 64,
    doc: 'up to this many parameters: exact Hessian from n HVPs and a Cholesky solve; above: Newton-CG',
    check: nonNegativeInteger,
  },
  { name: 'cg_max_iter', kind: 'number', default: 100, doc: 'Newton-CG: conjugate-gradient iterations (one HVP each)', check: positiveInteger },
  { name: 'cg_tol', kind: 'number', default: 1e-5, doc: 'Newton-CG: stop when |residual| ≤ cg_tol·|g|', check: positive },
];

/**
 * Damped Newton: x ← x − lr·(H + λI)⁻¹g. Small problems (n ≤ exact_threshold)
 * build H from n Hessian-vector products and solve by Cholesky; larger ones run
 * truncated conjugate gradients on HVPs (Newton-CG). When H + λI is not
 * positive definite the exact path raises λ tenfold until it is (Levenberg) and
 * Newton-CG stops at the negative-curvature direction (or −g on the first CG
 * step); either way info.notPositiveDefinite is set and info.dampingUsed says
 * which λ was applied. Each HVP counts as one extra evaluation.
 */
export const newton: OptimizerFactory = {
  id: 'newton',
  summary: 'Damped Newton: exact Hessian (small n) or Newton-CG on Hessian-vector products',
  torchName: '(none: torch.optim has no Newton method)',
  reference: 'Nocedal & Wright 2006, Numerical Optimization, ch. 3 and 7 (damped Newton, Newton-CG)',
  family: 'second-order',
  defaultLr: 1,
  hyperparams,
  create(given) {
    const hp = resolveHyperparams('newton', hyperparams, given);
    const damping = hpNumber(hp, 'damping');
    const exactThreshold = hpNumber(hp, 'exact_threshold');
    const cgMaxIter = hpNumber(hp, 'cg_max_iter');
    const cgTol = hpNumber(hp, 'cg_tol');
    const optimizer: Optimizer<OptimizerState> = {
      id: 'newton',
      hp,
      arraysUnavailable: 'newton solves with the Hessian (dense below exact_threshold parameters, else conjugate gradients on Hessian-vector products), on tensors',
      init: () => ({}),
      update(input: StepInput, state) {
        const exact = input.params.size <= exactThreshold;
        const solved = exact
          ? denseNewtonDirection(input, damping)
          : newtonCg(input, damping, { maxIter: cgMaxIter, tol: cgTol });
        const params = tf.tidy(() => tf.sub(input.params, tf.mul(solved.direction, input.lr)) as tf.Tensor1D);
        solved.direction.dispose();
        return { params, state, extraEvals: solved.hvps, info: { exact, ...solved.info } };
      },
      disposeState: () => undefined,
    };
    return optimizer;
  },
};
