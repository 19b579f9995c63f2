import type { OptimizerFactory } from '../optimizer';

/** First-order optimizers matching torch.optim (sgd, adagrad, rmsprop, adadelta, adam, adamw, nadam, adamax). */
export const FIRST_ORDER: readonly OptimizerFactory[] = [];
