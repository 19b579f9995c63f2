/** The trials of a random or Sobol search over a space, from a seed (the same seed gives the same trials). */
import { checkDimensions, pointAt, type Dimension, type Point } from './searchSpace';
import { Sobol } from './sobol';
import { uniformStream } from '../uniformStream';

export type SearchMethod = 'random' | 'sobol';
export const SEARCH_METHODS: readonly SearchMethod[] = ['random', 'sobol'];

export function searchPoints(dims: readonly Dimension[], trials: number, method: SearchMethod, seed: number): Point[] {
  checkDimensions(dims);
  if (dims.length === 0) throw new RangeError('a search needs at least one --grid dimension');
  if (method === 'sobol') {
    const sobol = new Sobol(dims.length, seed);
    return Array.from({ length: trials }, (_, i) => pointAt(dims, sobol.point(i)));
  }
  const next = uniformStream(seed);
  return Array.from({ length: trials }, () => pointAt(dims, dims.map(() => next())));
}
