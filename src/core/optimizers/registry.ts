import type { HpRecord } from '../hyperparams';
import { HyperparameterError } from '../hyperparams';
import type { Optimizer, OptimizerFactory } from '../optimizer';
import { FIRST_ORDER } from './firstOrder';
import { PAPER_OPTIMIZERS } from './paperRules';
import { SECOND_ORDER } from './secondOrder';

export const OPTIMIZERS: readonly OptimizerFactory[] = [...FIRST_ORDER, ...PAPER_OPTIMIZERS, ...SECOND_ORDER];

export class UnknownOptimizerError extends Error {
  constructor(id: string) {
    super(`unknown optimizer '${id}'; valid: ${OPTIMIZERS.map((o) => o.id).join(', ')}`);
    this.name = 'UnknownOptimizerError';
  }
}

export function optimizerFactory(id: string): OptimizerFactory {
  const found = OPTIMIZERS.find((o) => o.id === id);
  if (!found) throw new UnknownOptimizerError(id);
  return found;
}

/** Creates an optimizer by torch-style id and hyperparameters, validating both. */
export function createOptimizer(id: string, hp: HpRecord = {}): Optimizer {
  return optimizerFactory(id).create(hp);
}

/** Learning rate to use: the given one, or the optimizer's torch default; rejects lr < 0. */
export function resolveLr(id: string, lr: number | undefined): number {
  const value = lr ?? optimizerFactory(id).defaultLr;
  if (!(value >= 0) || !Number.isFinite(value)) throw new HyperparameterError(`invalid lr for '${id}': must be >= 0, got ${value}`);
  return value;
}
