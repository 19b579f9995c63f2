import type { OptimizerFactory } from '../optimizer';
import { adadelta } from '../rules/builtin/adadelta';
import { adagrad } from '../rules/builtin/adagrad';
import { adam } from '../rules/builtin/adam';
import { adamax } from '../rules/builtin/adamax';
import { adamw } from '../rules/builtin/adamw';
import { asgd } from '../rules/builtin/asgd';
import { nadam } from '../rules/builtin/nadam';
import { radam } from '../rules/builtin/radam';
import { rmsprop } from '../rules/builtin/rmsprop';
import { rprop } from '../rules/builtin/rprop';
import { sgd } from '../rules/builtin/sgd';
import type { OptimizerRule, RuleHyperparams, RuleState } from '../rules/optimizerRule';
import { ruleFactory } from '../rules/ruleFactory';

export interface BuiltInRule {
  readonly id: string;
  readonly rule: OptimizerRule;
}

/** A rule typed with its own state and hyperparameters, as the registry holds every rule. */
export const builtIn = <S extends RuleState, H extends RuleHyperparams>(id: string, rule: OptimizerRule<S, H>): BuiltInRule => ({
  id,
  rule: rule as unknown as OptimizerRule,
});

/**
 * The elementwise built-ins, each an optimizer rule (src/core/rules/builtin/) written in the public contract,
 * by id; each rule names what it follows (`reference`: the torch class it matches step for step, or the paper).
 * Adding one: a rule file and a line here.
 */
export const FIRST_ORDER_RULES: readonly BuiltInRule[] = [
  builtIn('sgd', sgd),
  builtIn('adagrad', adagrad),
  builtIn('rmsprop', rmsprop),
  builtIn('adadelta', adadelta),
  builtIn('adam', adam),
  builtIn('adamw', adamw),
  builtIn('nadam', nadam),
  builtIn('adamax', adamax),
  builtIn('radam', radam),
  builtIn('rprop', rprop),
  builtIn('asgd', asgd),
];

/** First-order optimizers matching torch.optim (sgd, adagrad, rmsprop, adadelta, adam, adamw, nadam, adamax, radam, rprop, asgd). */
export const FIRST_ORDER: readonly OptimizerFactory[] = FIRST_ORDER_RULES.map(({ id, rule }) => ruleFactory(id, rule));
