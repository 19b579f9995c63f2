import type { OptimizerFactory } from '../optimizer';
import { ademamix } from '../rules/builtin/ademamix';
import { adopt } from '../rules/builtin/adopt';
import { lion } from '../rules/builtin/lion';
import { adafactor } from '../rules/builtin/adafactor';
import { muon } from '../rules/builtin/muon';
import { scheduleFreeAdamw } from '../rules/builtin/scheduleFreeAdamw';
import { scheduleFreeSgd } from '../rules/builtin/scheduleFreeSgd';
import { sam, samAdamw } from '../rules/builtin/sam';
import { sophia } from '../rules/builtin/sophia';
import { ruleFactory } from '../rules/ruleFactory';
import { builtIn, type BuiltInRule } from './firstOrder';

/**
 * The optimizers from papers (torch.optim has none of them, or only in versions newer than ours),
 * each a rule in src/core/rules/builtin/ that cites its paper in `reference` and in its docstring.
 * Unlike FIRST_ORDER_RULES they need not be elementwise: a rule that does not compile runs on
 * tensors and the run says why. Adding one: a rule file and a line here.
 */
export const PAPER_RULES: readonly BuiltInRule[] = [
  builtIn('lion', lion),
  builtIn('adopt', adopt),
  builtIn('ademamix', ademamix),
  builtIn('adafactor', adafactor),
  builtIn('muon', muon),
  builtIn('schedule-free-sgd', scheduleFreeSgd),
  builtIn('schedule-free-adamw', scheduleFreeAdamw),
  builtIn('sam', sam),
  builtIn('sam-adamw', samAdamw),
  builtIn('sophia', sophia),
];

export const PAPER_OPTIMIZERS: readonly OptimizerFactory[] = PAPER_RULES.map(({ id, rule }) => ruleFactory(id, rule));
