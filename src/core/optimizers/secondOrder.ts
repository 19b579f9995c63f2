import type { OptimizerFactory } from '../optimizer';
import { gdArmijo } from './gdArmijo';
import { gdExact } from './gdExact';
import { lbfgs } from './lbfgs';
import { newton } from './newton';

/** Line-search and second-order methods (lbfgs, newton, gd-armijo, gd-exact). */
export const SECOND_ORDER: readonly OptimizerFactory[] = [lbfgs, newton, gdArmijo, gdExact];
