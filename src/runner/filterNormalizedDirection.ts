/**
 * Random directions for loss-landscape slices, filter-normalised as in Li et
 * al. 2018 ("Visualizing the Loss Landscape of Neural Nets"): a Gaussian
 * direction whose part for each parameter tensor is rescaled to that tensor's
 * norm, so a step of 1 along it changes every tensor in proportion to its own
 * scale and slices of differently scaled layers compare. A tensor that is all
 * zeros (a fresh bias) gets entries of size about 1 instead of none, so a
 * model that starts at the origin still has a slice to show.
 */
import type { ParamLayout } from '../core/paramLayout';
import { createRng, mixSeed, type Rng } from './rng';

/**
 * The run's random slice plane through x0: two directions from the run's seed. One source for the
 * run's first grid (landscape.ts) and a zoomed window of it (pathSliceGrid.ts), so both are on the same plane.
 */
export function randomSliceDirections(layout: ParamLayout, x0: ArrayLike<number>, seed: number): [Float32Array, Float32Array] {
  const rng = createRng(mixSeed(seed, 7001));
  const d1 = filterNormalizedDirection(layout, x0, rng);
  return [d1, filterNormalizedDirection(layout, x0, rng)];
}

export function filterNormalizedDirection(layout: ParamLayout, x0: ArrayLike<number>, rng: Rng): Float32Array {
  const d = new Float32Array(layout.size);
  for (const slot of layout.slots) {
    let dNorm = 0;
    let xNorm = 0;
    for (let i = slot.offset; i < slot.offset + slot.size; i++) {
      d[i] = rng.normal();
      dNorm += d[i] * d[i];
      xNorm += x0[i] * x0[i];
    }
    const target = xNorm > 0 ? Math.sqrt(xNorm) : Math.sqrt(slot.size);
    const scale = dNorm > 0 ? target / Math.sqrt(dNorm) : 0;
    for (let i = slot.offset; i < slot.offset + slot.size; i++) d[i] *= scale;
  }
  return d;
}
