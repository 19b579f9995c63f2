/**
 * What `import ... from 'optimizer-lab'` gives a workspace file at run time: the rule contract's types
 * (re-exported for this repository's own examples; a workspace gets them from the shipped declarations)
 * and a few values, so a user can build on the built-ins instead of copying them:
 *
 *   import { builtInRules, sharpnessAware } from 'optimizer-lab';
 *   export const samLion = sharpnessAware(builtInRules.lion, 'lion');
 *
 * The bundler keeps the import external (compile.ts) and loadBundle.ts answers it with this module.
 */
import { FIRST_ORDER_RULES } from '../core/optimizers/firstOrder';
import { PAPER_RULES } from '../core/optimizers/paperRules';
import type { OptimizerRule } from '../core/rules/optimizerRule';

export type * from '../core/rules/optimizerRule';
export { sharpnessAware, type SharpnessAwareHp } from '../core/rules/builtin/sam';

/** Every built-in rule by its id ('adam', 'lion', 'schedule-free-adamw', ...), to wrap or to read. */
export const builtInRules: Readonly<Record<string, OptimizerRule>> = Object.freeze(
  Object.fromEntries([...FIRST_ORDER_RULES, ...PAPER_RULES].map(({ id, rule }) => [id, rule])),
);
