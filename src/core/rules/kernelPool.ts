/**
 * Compiled slot kernels that no run is using, by what they were compiled
 * from. A rerun with the same rule, hyperparameters and shapes (live mode,
 * Compare, repeats, the bench) takes one instead of tracing and compiling
 * again: that costs milliseconds, more than a short run's steps. Reuse is safe
 * even for a rule whose module was reloaded with other values: every step's
 * replay checks the ops, their arguments, the compiled-in scalars and what
 * the update returns against the kernel's recording, and a mismatch compiles afresh.
 */
import type { HpRecord } from '../hyperparams';
import type { OptimizerRule } from './optimizerRule';
import type { SlotKernel, SlotSpec } from './traceRule';

/** Kernels kept per key, and keys kept (oldest dropped first). */
const PER_KEY = 4;
const MAX_KEYS = 32;
const pool = new Map<string, SlotKernel[]>();

export function kernelKey(rule: OptimizerRule, hp: HpRecord, spec: SlotSpec): string {
  const layout = spec.stateKeys.map((key, j) => `${key}[${spec.stateShapes[j].join(',')}]`).join(';');
  return [rule.update.toString(), JSON.stringify(hp), spec.name, spec.shape.join(','), layout].join('\u0000');
}

/** The latest kernel kept for `key` that `accept` takes (any, without it), out of the pool. */
export function takeKernel(key: string, accept?: (kernel: SlotKernel) => boolean): SlotKernel | undefined {
  const kept = pool.get(key);
  if (!kept) return undefined;
  for (let k = kept.length - 1; k >= 0; k--) if (!accept || accept(kept[k])) return kept.splice(k, 1)[0];
  return undefined;
}

export function returnKernel(key: string, kernel: SlotKernel): void {
  let kept = pool.get(key);
  if (!kept) {
    if (pool.size >= MAX_KEYS) pool.delete(pool.keys().next().value as string);
    pool.set(key, (kept = []));
  }
  if (kept.length < PER_KEY && !kept.includes(kernel)) kept.push(kernel);
}
