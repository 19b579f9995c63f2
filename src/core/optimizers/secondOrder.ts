import type { OptimizerFactory } from '../optimizer';
import { lbfgs } from './lbfgs';

/** Line-search and second-order methods (lbfgs, newton, gd-armijo, gd-exact). */
export const SECOND_ORDER: readonly OptimizerFactory[] = [lbfgs];
