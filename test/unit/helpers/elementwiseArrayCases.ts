import type { ArrayOptimizer, WasmMode } from '../../../src/core/arrays/contracts';
import type { HpRecord } from '../../../src/core/hyperparams';
import { createOptimizer } from '../../../src/core/optimizers/registry';

/** The optimizers with an elementwise array form (and a WebAssembly form of it). */
export const ELEMENTWISE = ['sgd', 'adagrad', 'rmsprop', 'adadelta', 'adam', 'adamw', 'nadam', 'adamax'] as const;
export type ElementwiseId = (typeof ELEMENTWISE)[number];

/** Hyperparameter combinations per optimizer, with an lr that keeps a run on a quadratic finite. */
export const COMBOS: Record<ElementwiseId, { lr: number; hps: HpRecord[] }> = {
  sgd: {
    lr: 0.05,
    hps: [{}, { momentum: 0.9 }, { momentum: 0.9, nesterov: true, weight_decay: 0.05 }, { momentum: 0.5, dampening: 0.3 }, { weight_decay: 0.1 }],
  },
  adagrad: { lr: 0.1, hps: [{}, { lr_decay: 0.05, weight_decay: 0.1, initial_accumulator_value: 0.2 }, { eps: 0 }] },
  rmsprop: {
    lr: 0.01,
    hps: [{}, { momentum: 0.9, alpha: 0.9 }, { centered: true }, { centered: true, momentum: 0.5, weight_decay: 0.1, eps: 0 }, { eps: 0 }],
  },
  // Adadelta with eps = 0 never moves (its numerator √(u + ε) starts at 0).
  adadelta: { lr: 1, hps: [{}, { rho: 0.5, eps: 1e-3, weight_decay: 0.1 }, { rho: 0.99, eps: 1e-8 }] },
  adam: { lr: 0.05, hps: [{}, { amsgrad: true, betas: [0.8, 0.99] }, { weight_decay: 0.1, eps: 0 }, { amsgrad: true, eps: 0 }] },
  adamw: { lr: 0.05, hps: [{}, { weight_decay: 0.5, amsgrad: true }, { weight_decay: 0, betas: [0.5, 0.9] }] },
  nadam: { lr: 0.05, hps: [{}, { weight_decay: 0.1, momentum_decay: 0.01, betas: [0.8, 0.99] }, { eps: 0 }] },
  adamax: { lr: 0.05, hps: [{}, { weight_decay: 0.1, betas: [0.8, 0.99] }, { eps: 0 }] },
};

/** The registry's array form of `id`, its update run as WebAssembly per `wasm` (absent: the default, 'auto'). */
export function arraysOf(id: string, hp: HpRecord = {}, wasm?: WasmMode): ArrayOptimizer {
  const arrays = createOptimizer(id, hp).arrays;
  if (!arrays) throw new Error(`${id} has no array form`);
  if (wasm === undefined) return arrays;
  if (!arrays.withWasm) throw new Error(`${id} has no WebAssembly form`);
  return arrays.withWasm(wasm);
}
