/** How a run builds its curvature samples' diagnostics context (src/runner/sampleDiagnostics.ts): batches for the noise scale, the named tensors. */
import type * as tfType from '@tensorflow/tfjs';
import type { Block } from '../core/curvature/blockCurvature';
import type { Evaluate } from '../core/optimizer';
import type { RunRequest } from '../protocol/runner';
import { CURVATURE_SAMPLE_BUDGET_MS } from './curvatureSampler';
import { diagnosticsPlan } from './diagnosticsPlan';
import { disposeBatch, type Batch, type Dataset } from './dataset';
import type { DiagnosticsContext, NoiseSource } from './sampleDiagnostics';
import type { WatchedOptimizer } from './stateWatch';

/**
 * The gradient-noise scale's batches: batch k of the first epoch (disjoint, the run's batch size), set as the
 * objective's batch around one gradient evaluation (the sign does not matter to the noise scale).
 */
export function noiseSource(dataset: Dataset, setBatch: (b: Batch | undefined) => void, evaluate: Evaluate, tf: typeof tfType): NoiseSource {
  return {
    batchSize: dataset.batchSize,
    datasetSize: dataset.size,
    gradientOnBatch(k, x) {
      const batch = dataset.batch(k, tf);
      setBatch(batch);
      try {
        const { loss, grad } = evaluate(x);
        loss.dispose();
        const values = Float32Array.from(grad.dataSync());
        grad.dispose();
        return values;
      } finally {
        setBatch(undefined);
        disposeBatch(batch);
      }
    },
  };
}

/** The named parameter tensors' places in the flat vector (the layout's slots are in its order). */
export function blocksOf(slots: readonly { readonly name: string; readonly shape: readonly number[] }[]): Block[] {
  let offset = 0;
  return slots.map(({ name, shape }) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const block = { name, offset, size };
    offset += size;
    return block;
  });
}

/** What a run's curvature samples carry: the request's plan, the optimizer's state, the data's batches and the named tensors. */
export function diagnosticsContext(
  req: RunRequest, optimizer: WatchedOptimizer, dataset: Dataset | undefined, setBatch: (b: Batch | undefined) => void, evaluate: Evaluate,
  slots: readonly { readonly name: string; readonly shape: readonly number[] }[], tf: typeof tfType,
): DiagnosticsContext {
  return {
    plan: diagnosticsPlan(req), optimizer, negated: req.optimizer.maximize === true, seed: req.seed, budgetMs: CURVATURE_SAMPLE_BUDGET_MS,
    noise: dataset && dataset.batchSize < dataset.size ? noiseSource(dataset, setBatch, evaluate, tf) : undefined,
    blocks: blocksOf(slots),
  };
}
