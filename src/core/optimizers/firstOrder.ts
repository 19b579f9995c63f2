import type { OptimizerFactory } from '../optimizer';
import { adadelta } from './adadelta';
import { adagrad } from './adagrad';
import { adam } from './adam';
import { adamax } from './adamax';
import { adamw } from './adamw';
import { nadam } from './nadam';
import { rmsprop } from './rmsprop';
import { sgd } from './sgd';

/** First-order optimizers matching torch.optim (sgd, adagrad, rmsprop, adadelta, adam, adamw, nadam, adamax). */
export const FIRST_ORDER: readonly OptimizerFactory[] = [sgd, adagrad, rmsprop, adadelta, adam, adamw, nadam, adamax];
