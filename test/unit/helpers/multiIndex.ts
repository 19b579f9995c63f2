import { stridesOf } from '../../../src/core/compiled/indexMaps';

/** Reference walks over multi-indices for the index-map tests: plain definitions, written for reading, not speed. */
export const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Every multi-index of shape in row-major order. */
export function* indices(shape: readonly number[]): Generator<number[]> {
  const index = shape.map(() => 0);
  for (let flat = 0; flat < sizeOf(shape); flat++) {
    yield [...index];
    for (let d = shape.length - 1; d >= 0 && ++index[d] === shape[d]; d--) index[d] = 0;
  }
}

/** The flat position of a multi-index in a row-major array of `shape`. */
export const flatAt = (shape: readonly number[], index: readonly number[]) => index.reduce((at, i, d) => at + i * stridesOf(shape)[d], 0);
