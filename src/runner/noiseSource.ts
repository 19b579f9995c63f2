import type * as tfType from '@tensorflow/tfjs';
import type { Evaluate } from '../core/optimizer';
import { disposeBatch, type Batch, type Dataset } from './dataset';
import type { NoiseSource } from './sampleDiagnostics';

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
