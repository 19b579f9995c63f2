import { strict as assert } from 'node:assert';
import {
  INDEX_MAP_INTERNALS, broadcastMap, classifyMap, composeMaps, gatherMap, padMap, reductionMap, reverseMap, sliceMap, stridesOf, tileMap,
  transposeMap, type MapPattern,
} from '../../../../src/core/compiled/indexMaps';
import { flatAt, indices, sizeOf } from '../../helpers/multiIndex';
import { seededRandom } from '../../helpers/randomLoopIR';

/**
 * Maps built a row at a time carry the pattern classify would find in them, so that classifyMap need not
 * scan them: over random shapes (ranks 0 to 4, extents 0 to 5), strides and bases, every map equals its
 * element-by-element definition (written here again, plainly) and the pattern it carries is classify's.
 */

const { classify, builtPattern, affineMap } = INDEX_MAP_INTERNALS;


/** A seeded stream (randomLoopIR's mulberry32): the same cases on every run. */
function randomStream(seed: number) {
  const next = seededRandom(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  // Extents of 1 are common (a batch of one, keepDims) and 0 rare but legal.
  const extent = () => (next() < 0.04 ? 0 : next() < 0.35 ? 1 : int(2, 5));
  const shape = (maxRank = 4) => Array.from({ length: int(0, maxRank) }, extent);
  const permutation = (n: number) => {
    const perm = [...Array(n).keys()];
    for (let i = n - 1; i > 0; i--) {
      const j = int(0, i);
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    return perm;
  };
  const axes = (rank: number) => [...Array(rank).keys()].filter(() => next() < 0.5);
  return { next, int, pick, shape, permutation, axes };
}

type Random = ReturnType<typeof randomStream>;

function patternName(pattern: MapPattern | undefined): string {
  if (!pattern) return 'none';
  return pattern.kind === 'modulo' && pattern.k !== undefined ? 'modulo+k' : pattern.kind;
}

/**
 * check(map, reference, what): the map is its definition, and the pattern it carries (if any) is what classify
 * finds in it. reached(names): the random cases made maps carrying each of these patterns (modulo+k: with a k).
 */
function patternChecks() {
  const carried = new Map<string, number>();
  const check = (map: Int32Array, reference: readonly number[], what: string): void => {
    assert.deepEqual(Array.from(map), reference, what);
    const pattern = builtPattern(map);
    carried.set(patternName(pattern), (carried.get(patternName(pattern)) ?? 0) + 1);
    if (pattern) assert.deepEqual(pattern, classify(map), `${what}: carried ${JSON.stringify(pattern)}`);
  };
  const reached = (...names: string[]) => {
    for (const name of names) assert.ok((carried.get(name) ?? 0) >= 5, `only ${carried.get(name) ?? 0} maps carried ${name}: ${JSON.stringify([...carried])}`);
  };
  return { check, reached };
}

/** Strides that often make a pattern: zeros, then a contiguous run (modulo), the reverse (divide), contiguous, or anything. */
function randomStrides(random: Random, shape: readonly number[]): number[] {
  const split = random.int(0, shape.length);
  switch (random.int(0, 4)) {
    case 0:
      return [...shape.slice(0, split).map(() => 0), ...stridesOf(shape.slice(split))];
    case 1:
      return [...stridesOf(shape.slice(0, split)), ...shape.slice(split).map(() => 0)];
    case 2:
      return stridesOf(shape);
    case 3:
      return stridesOf(shape).map((s) => s * random.pick([1, 2, -1]));
    default:
      return shape.map(() => random.int(-4, 6));
  }
}

describe('index maps carry the pattern classify finds in them', () => {
  it('affine maps over random shapes, strides and bases', () => {
    const { check, reached } = patternChecks();
    const random = randomStream(1);
    for (let trial = 0; trial < 3000; trial++) {
      const shape = random.shape();
      const strides = randomStrides(random, shape);
      const base = random.pick([0, 0, 1, 3, 7, -1, -2]);
      const reference = Array.from(indices(shape), (index) => index.reduce((at, i, d) => at + i * strides[d], base));
      check(affineMap(shape, strides, base), reference, `affine ${shape} strides ${strides} base ${base}`);
    }
    reached('constant', 'offset', 'modulo', 'modulo+k', 'divide', 'none');
  });

  it('broadcasts, slices, transposes, reductions and reversals', () => {
    const { check, reached } = patternChecks();
    const random = randomStream(2);
    for (let trial = 0; trial < 1500; trial++) {
      const shape = random.shape();
      const rank = shape.length;
      const inShape = shape.map((e) => (random.next() < 0.5 ? 1 : e)).slice(random.int(0, rank));
      const offset = rank - inShape.length;
      check(broadcastMap(inShape, shape), Array.from(indices(shape), (index) => flatAt(inShape, index.slice(offset).map((i, d) => (inShape[d] === 1 ? 0 : i)))), `broadcast ${inShape} → ${shape}`);
      const begin = shape.map((e) => random.int(0, e));
      const size = shape.map((e, d) => random.int(0, e - begin[d]));
      check(sliceMap(shape, begin, size), Array.from(indices(size), (index) => flatAt(shape, index.map((i, d) => i + begin[d]))), `slice ${shape} at ${begin} size ${size}`);
      const perm = random.permutation(rank);
      const transposed = perm.map((p) => shape[p]);
      check(transposeMap(shape, perm, transposed), Array.from(indices(transposed), (index) => flatAt(shape, perm.map((_, d) => index[perm.indexOf(d)]))), `transpose ${shape} by ${perm}`);
      const axes = random.axes(rank);
      const kept = shape.map((_, d) => d).filter((d) => !axes.includes(d));
      check(reductionMap(shape, axes), Array.from(indices(shape), (index) => flatAt(kept.map((d) => shape[d]), kept.map((d) => index[d]))), `reduction ${shape} over ${axes}`);
      check(reverseMap(shape, axes), Array.from(indices(shape), (index) => flatAt(shape, index.map((i, d) => (axes.includes(d) ? shape[d] - 1 - i : i)))), `reverse ${shape} along ${axes}`);
    }
    reached('constant', 'offset', 'modulo', 'divide', 'none');
  });

  it('tiles: element i of each dimension reads i mod its input extent', () => {
    const { check, reached } = patternChecks();
    const random = randomStream(3);
    for (let trial = 0; trial < 1500; trial++) {
      const inShape = random.shape();
      const outShape = inShape.map((e) => e * random.pick([0, 1, 1, 2, 3]));
      const reference = Array.from(indices(outShape), (index) => flatAt(inShape, index.map((i, d) => i % inShape[d])));
      check(tileMap(inShape, outShape), reference, `tile ${inShape} → ${outShape}`);
    }
    reached('constant', 'offset', 'modulo', 'divide', 'none');
    assert.deepEqual(builtPattern(tileMap([1, 1, 1, 16], [32, 16, 16, 16])), { kind: 'modulo', m: 16 });
  });

  it('pads: -1 outside the input, its flat index inside', () => {
    const { check, reached } = patternChecks();
    const random = randomStream(4);
    for (let trial = 0; trial < 2000; trial++) {
      const inShape = random.shape();
      const paddings = inShape.map(() => (random.next() < 0.5 ? [0, 0] : [random.int(0, 3), random.int(0, 3)]));
      const outShape = inShape.map((e, d) => paddings[d][0] + e + paddings[d][1]);
      const reference = Array.from(indices(outShape), (index) => {
        const at = index.map((i, d) => i - paddings[d][0]);
        return at.every((i, d) => i >= 0 && i < inShape[d]) ? flatAt(inShape, at) : -1;
      });
      check(padMap(inShape, paddings, outShape), reference, `pad ${inShape} by ${JSON.stringify(paddings)}`);
    }
    reached('constant', 'offset', 'window', 'general', 'none');
    assert.deepEqual(builtPattern(padMap([32], [[4784, 20522]], [25338])), { kind: 'window', lo: 4784, hi: 4816, k: -4784 });
    assert.deepEqual(builtPattern(padMap([1, 3, 2], [[0, 0], [0, 2], [0, 0]], [1, 5, 2])), { kind: 'window', lo: 0, hi: 6, k: 0 });
  });

  it('gathers at known indices: the definition, index by index', () => {
    const { check, reached } = patternChecks();
    const random = randomStream(5);
    for (let trial = 0; trial < 1500; trial++) {
      const inShape = [...random.shape(3), random.int(1, 4)];
      const axis = random.int(0, inShape.length - 1);
      const indexShape = random.shape(2);
      const values = Array.from({ length: sizeOf(indexShape) }, () => random.int(0, inShape[axis] - 1));
      const outShape = [...inShape.slice(0, axis), ...indexShape, ...inShape.slice(axis + 1)];
      const indexRank = indexShape.length;
      const reference = Array.from(indices(outShape), (index) => {
        const at = [...index.slice(0, axis), values[flatAt(indexShape, index.slice(axis, axis + indexRank))], ...index.slice(axis + indexRank)];
        return flatAt(inShape, at);
      });
      check(gatherMap(inShape, Int32Array.from(values), axis, outShape), reference, `gather ${inShape} axis ${axis} at ${indexShape}`);
    }
    reached('none');
  });

  it('compositions of a view of a view whose inner map is a constant, k + i, or neither', () => {
    const { check, reached } = patternChecks();
    const random = randomStream(6);
    for (let trial = 0; trial < 1500; trial++) {
      const inShape = random.shape(3);
      const n = sizeOf(inShape);
      const outShape = inShape.map((e) => e * random.pick([1, 2]));
      const paddings = inShape.map(() => (random.next() < 0.7 ? [0, 0] : [random.int(0, 2), random.int(0, 2)]));
      const outer = random.pick([
        () => tileMap(inShape, outShape),
        () => broadcastMap(inShape, [random.int(1, 3), ...inShape]),
        () => padMap(inShape, paddings, inShape.map((e, d) => paddings[d][0] + e + paddings[d][1])),
        () => transposeMap(inShape, [...inShape.keys()].reverse(), [...inShape].reverse()),
        () => Int32Array.from({ length: 2 * n }, (_, i) => (i * 7) % n),
        // k + i mod m over a length that is not a multiple of m (classify finds it; the last period is cut short).
        () => Int32Array.from({ length: random.int(0, 3 * n) }, (_, i) => i % n),
      ])();
      const inner = random.pick([
        () => affineMap([n], [1], random.int(0, 5)),
        () => affineMap([n], [0], random.int(0, 5)),
        () => affineMap([n], [2], 0),
        () => Int32Array.from({ length: n }, (_, i) => random.pick([i, 2 * i, n - 1 - i])),
      ])();
      // The compiler has classified both maps when it composes them (setView, readBuffer).
      if (random.next() < 0.7) classifyMap(outer);
      if (random.next() < 0.5) classifyMap(inner);
      check(composeMaps(inner, outer), Array.from(outer, (at) => (at < 0 ? -1 : inner[at])), `compose ${Array.from(inner)} ∘ ${Array.from(outer)}`);
    }
    reached('constant', 'offset', 'modulo', 'modulo+k', 'none');
  });
});
