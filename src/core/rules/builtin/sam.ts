import * as tf from '@tensorflow/tfjs';
import type { OptimizerRule, RuleHyperparams, RuleState } from '../optimizerRule';
import { adamw } from './adamw';
import { nonNegative } from './checks';
import { sgd } from './sgd';

/** What SAM adds to its base's hyperparameters. */
export type SharpnessAwareHp = { rho: number; adaptive: boolean };

const SAM_PAPER = 'Foret et al. 2021, Sharpness-Aware Minimization for Efficiently Improving Generalization, arXiv:2010.01412';
const ASAM_PAPER = 'Kwon et al. 2021, ASAM: Adaptive Sharpness-Aware Minimization, arXiv:2102.11600';
/** The reference's e_w = ρ·s²⊙g/(‖s⊙g‖ + 1e-12) guards a zero gradient with this constant. */
const NORM_GUARD = 1e-12;

/**
 * The perturbation ê(w) = ρ · T²g / (‖Tg‖ + 1e-12), T = diag(|w|) when adaptive (ASAM) else the identity,
 * in the reference's op order: the norm and the scale ρ/(‖·‖ + 1e-12) are float32 scalars, then
 * (w² ⊙ g) · scale.
 */
export function samPerturbation(grad: tf.Tensor, param: tf.Tensor, rho: number, adaptive: boolean): tf.Tensor {
  const scaled = adaptive ? param.abs().mul(grad) : grad;
  const norm = scaled.square().sum().sqrt();
  const scale = tf.div(rho, norm.add(NORM_GUARD));
  return (adaptive ? param.square().mul(grad) : grad).mul(scale);
}

/**
 * Sharpness-aware minimisation around any tensor-scope rule (Foret et al. 2021, arXiv:2010.01412; the
 * adaptive variant ASAM: Kwon et al. 2021, arXiv:2102.11600), following the reference implementation
 * davda54/sam (`SAM(params, base_optimizer, rho, adaptive)`): each step
 *
 *   ê = ρ · T²g / (‖T g‖ + 1e-12),   T = diag(|w|) if adaptive else I,
 *   g_SAM = ∇L(w + ê)                (one more gradient evaluation, on the same batch),
 *   w ← base's update at w with g_SAM (the base's state advances once per step).
 *
 * The result is a model-scope rule: it runs once per step on every parameter as one flat vector (the base
 * sees `ctx.name` 'params' and a vector, so a base that treats matrices differently sees one vector
 * instead), and every step costs two gradient evaluations, counted in the run's records. Its
 * hyperparameters are the base's (with `overrides` for their defaults) plus `rho` (0.05) and `adaptive`
 * (false; the ASAM paper uses a larger ρ, e.g. 2 with SGD). Gradient clipping and noise of the run apply
 * to the gradient at w, which only sets the perturbation's direction.
 *
 * Wrap your own rule in a workspace file: `export const samLion = sharpnessAware(lion, 'lion')` (the
 * extension ships types only, so copy this file next to your rules or import it by path, as
 * examples/sharpnessAware.ts does).
 */
export function sharpnessAware<S extends RuleState, H extends RuleHyperparams>(
  base: OptimizerRule<S, H>,
  baseId: string,
  overrides: Partial<H> = {},
): OptimizerRule<S, H & SharpnessAwareHp> {
  if (base.scope === 'model') throw new Error(`sharpnessAware wraps tensor-scope rules; '${baseId}' has model scope`);
  for (const name of ['rho', 'adaptive']) {
    if (name in base.defaults) throw new Error(`sharpnessAware adds the hyperparameter '${name}', which '${baseId}' already has`);
  }
  type Hp = H & SharpnessAwareHp;
  const baseChecks = (base.checks ?? {}) as NonNullable<OptimizerRule<S, Hp>['checks']>;
  const wrapped: OptimizerRule<S, Hp> = {
    scope: 'model',
    family: 'sharpness-aware',
    reference: `${SAM_PAPER} (adaptive: ${ASAM_PAPER}); base: ${base.reference ?? baseId}`,
    summary: `SAM around ${baseId}: the ${baseId} step with the gradient at the worst point within ρ (two gradients per step)`,
    defaults: { ...base.defaults, ...overrides, rho: 0.05, adaptive: false } as Hp,
    docs: {
      ...(base.docs ?? {}),
      rho: 'radius of the neighbourhood whose worst point gives the gradient (ρ; the paper tunes it in {0.01, ..., 2})',
      adaptive: 'ASAM: perturb by |w|²⊙g / ‖|w|⊙g‖, a neighbourhood scaled by the weights (use a larger rho)',
    } as NonNullable<OptimizerRule<S, Hp>['docs']>,
    checks: { ...baseChecks, rho: nonNegative },
    init: (param, hp) => base.init(param, hp),
    update(grad, state, param, hp, ctx) {
      if (!ctx.closures) throw new Error(`SAM around '${baseId}' needs the objective (model scope closures)`);
      const perturbed = param.add(samPerturbation(grad, param, hp.rho, hp.adaptive)) as tf.Tensor1D;
      // The second gradient, at the worst point of the ρ-ball; the base steps from w with it.
      const { grad: sharpGrad } = ctx.closures.evaluate(perturbed);
      return base.update(sharpGrad, state, param, hp, { step: ctx.step, name: ctx.name });
    },
  };
  if (base.inspect) wrapped.inspect = base.inspect.bind(base) as NonNullable<typeof wrapped.inspect>;
  if (base.evaluationPoint) wrapped.evaluationPoint = base.evaluationPoint.bind(base) as NonNullable<typeof wrapped.evaluationPoint>;
  return wrapped;
}

/**
 * `sam`: SAM around torch.optim.SGD with lr 0.1 and momentum 0.9, the reference README's example
 * (`SAM(model.parameters(), torch.optim.SGD, lr=0.1, momentum=0.9)`); every SGD option stays available.
 */
export const sam = sharpnessAware(sgd, 'sgd', { lr: 0.1, momentum: 0.9 });

/** `sam-adamw`: SAM around torch.optim.AdamW with AdamW's defaults (lr 1e-3, weight_decay 1e-2). */
export const samAdamw = sharpnessAware(adamw, 'adamw');
