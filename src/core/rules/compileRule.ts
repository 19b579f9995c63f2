import type { ArrayOptimizer } from '../arrays/contracts';
import type { HpRecord } from '../hyperparams';
import type { ParamShapes } from '../optimizer';
import type { OptimizerRule } from './optimizerRule';

/** The rule's update compiled to fused JS/WebAssembly loops, or why it stays on tensors. */
export function compileRule(id: string, rule: OptimizerRule, hp: HpRecord, shapes: ParamShapes | undefined): { arrays: ArrayOptimizer } | { reason: string } {
  void rule; void hp; void shapes;
  return { reason: `optimizer rule '${id}' is not compiled yet` };
}
