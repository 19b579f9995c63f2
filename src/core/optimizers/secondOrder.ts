import type { OptimizerFactory } from '../optimizer';

/** Line-search and second-order methods (lbfgs, newton, gd-armijo, gd-exact). */
export const SECOND_ORDER: readonly OptimizerFactory[] = [];
