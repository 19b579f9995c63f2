/**
 * The optimizers the runner offers, as plain data: the host must not load
 * TensorFlow.js (src/core's registry does), so it keeps this copy. A unit test
 * compares it with the registry so the two cannot drift apart.
 */
export interface CatalogEntry {
  readonly id: string;
  readonly torchName: string;
  readonly defaultLr: number;
  readonly summary: string;
}

export const OPTIMIZER_CATALOG: readonly CatalogEntry[] = [
  { id: 'sgd', torchName: 'torch.optim.SGD', defaultLr: 0.001, summary: 'Stochastic gradient descent with optional (Nesterov) momentum' },
  { id: 'adagrad', torchName: 'torch.optim.Adagrad', defaultLr: 0.01, summary: 'Adagrad: per-parameter steps scaled by the accumulated squared gradients' },
  { id: 'rmsprop', torchName: 'torch.optim.RMSprop', defaultLr: 0.01, summary: 'RMSProp: steps scaled by a running average of squared gradients' },
  { id: 'adadelta', torchName: 'torch.optim.Adadelta', defaultLr: 1, summary: 'Adadelta: steps scaled by the ratio of running RMS of updates and gradients' },
  { id: 'adam', torchName: 'torch.optim.Adam', defaultLr: 0.001, summary: 'Adam: bias-corrected first and second moment estimates' },
  { id: 'adamw', torchName: 'torch.optim.AdamW', defaultLr: 0.001, summary: 'AdamW: Adam with decoupled weight decay' },
  { id: 'nadam', torchName: 'torch.optim.NAdam', defaultLr: 0.002, summary: 'NAdam: Adam with Nesterov momentum' },
  { id: 'adamax', torchName: 'torch.optim.Adamax', defaultLr: 0.002, summary: 'Adamax: Adam with the infinity norm of past gradients' },
  { id: 'radam', torchName: 'torch.optim.RAdam', defaultLr: 0.001, summary: 'RAdam: Adam with the variance of its adaptive lr rectified' },
  { id: 'rprop', torchName: 'torch.optim.Rprop', defaultLr: 0.01, summary: 'Rprop: per-parameter step sizes adapted to sign changes of the gradient' },
  { id: 'asgd', torchName: 'torch.optim.ASGD', defaultLr: 0.01, summary: 'ASGD: SGD with a decaying step and a running average of the iterates' },
  { id: 'lbfgs', torchName: 'torch.optim.LBFGS', defaultLr: 1, summary: 'Limited-memory BFGS (one iteration per step), optionally with a strong-Wolfe line search' },
  { id: 'newton', torchName: '(none: torch.optim has no Newton method)', defaultLr: 1, summary: 'Damped Newton: exact Hessian (small n) or Newton-CG on Hessian-vector products' },
  { id: 'gd-armijo', torchName: '(none: torch.optim has no Armijo line search)', defaultLr: 1, summary: 'Gradient descent with a backtracking (Armijo) line search' },
  { id: 'gd-exact', torchName: '(none: torch.optim has no exact line search)', defaultLr: 1, summary: 'Gradient descent with an exact (Brent) line search along −∇f' },
];

export function catalogEntry(id: string): CatalogEntry | undefined {
  return OPTIMIZER_CATALOG.find((o) => o.id === id);
}
