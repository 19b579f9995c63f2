/**
 * Index maps: element i of a view is element map[i] of its base (or the pad
 * value where map[i] < 0). Slices, pads, transposes, broadcasts, tiles and
 * constant-index gathers are all views, resolved at compile time (during
 * fusion, stage 3 of compileProgram), so the generated loops read their bases
 * directly and never copy; classifyMap picks the cheapest read pattern.
 */
import { sizeOf } from './program';

/** Calls visit(flat, multiIndex) for every element of shape in row-major order (the index array is reused). */
export function forEachIndex(shape: readonly number[], visit: (flat: number, index: number[]) => void): void {
  const n = sizeOf(shape);
  const index = shape.map(() => 0);
  for (let flat = 0; flat < n; flat++) {
    visit(flat, index);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
}

export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  return strides;
}

/**
 * map[flat] = base + Σ_d index[d]·strides[d] over outShape: the maps of broadcasts, slices, transposes,
 * tiles and reductions, written a row at a time with no callback per element (maps have millions of
 * entries), carrying their pattern when the shape and strides name one.
 */
function affineMap(outShape: readonly number[], strides: readonly number[], base = 0): Int32Array {
  const n = sizeOf(outShape);
  if (n === 0) return knownMap(new Int32Array(0), { kind: 'offset', k: 0 });
  const { extents, steps } = mergedDims(outShape, strides);
  const map = new Int32Array(n);
  if (extents.length === 0) map[0] = base;
  else if (extents.length > 1 && steps[0] === 0) {
    // A leading run of stride 0 (a bias over rows) repeats one block: write it once, then copy it.
    const block = n / extents[0];
    writeAffineRows(map.subarray(0, block), extents.slice(1), steps.slice(1), base);
    repeatBlock(map, block);
  } else writeAffineRows(map, extents, steps, base);
  const pattern = affinePattern(extents, steps, base);
  return pattern ? knownMap(map, pattern) : map;
}

/** affineMap's loops, in a function of their own: V8 optimises it whole, not by on-stack replacement inside affineMap. */
function writeAffineRows(map: Int32Array, extents: readonly number[], steps: readonly number[], base: number): void {
  const rank = extents.length;
  const inner = extents[rank - 1];
  const innerStep = steps[rank - 1];
  const index = new Array<number>(rank).fill(0);
  let at = base;
  for (let flat = 0; flat < map.length; flat += inner) {
    for (let j = 0; j < inner; j++) map[flat + j] = at + j * innerStep;
    for (let d = rank - 2; d >= 0; d--) {
      at += steps[d];
      if (++index[d] < extents[d]) break;
      at -= steps[d] * extents[d];
      index[d] = 0;
    }
  }
}

/** Copies map's first `block` entries over the rest of it (the last copy may be cut short), doubling the copied part each time. */
function repeatBlock(map: Int32Array, block: number): void {
  for (let filled = block; filled < map.length; filled *= 2) map.copyWithin(filled, 0, Math.min(filled, map.length - filled));
}

/**
 * The same affine map over fewer, longer dimensions: those of extent 1 dropped, and a dimension merged
 * into the one before it when that one steps exactly across it (a contiguous run, or a run of stride 0).
 * Row-major order is unchanged, rows get longer, and each pattern has one form (see affinePattern).
 */
function mergedDims(outShape: readonly number[], strides: readonly number[]): { extents: number[]; steps: number[] } {
  const extents: number[] = [];
  const steps: number[] = [];
  for (let d = 0; d < outShape.length; d++) {
    if (outShape[d] === 1) continue;
    const last = extents.length - 1;
    if (last >= 0 && steps[last] === strides[d] * outShape[d]) {
      extents[last] *= outShape[d];
      steps[last] = strides[d];
    } else {
      extents.push(outShape[d]);
      steps.push(strides[d]);
    }
  }
  return { extents, steps };
}

/**
 * What classify returns for a non-empty affine map over merged dimensions (all extents ≥ 2), when it is a
 * constant (steps [] or [0]), base + i ([1]), base + i mod m ([0, 1]) or i / d ([1, 0], base 0; with a base
 * classify finds no pattern). Undefined for anything else: classifyMap scans those.
 */
function affinePattern(extents: readonly number[], steps: readonly number[], base: number): MapPattern | undefined {
  // classify reads a negative first entry as a pad.
  if (base < 0) return undefined;
  const stepsAre = (...expected: number[]) => steps.length === expected.length && expected.every((s, d) => steps[d] === s);
  if (stepsAre() || stepsAre(0)) return { kind: 'constant', at: base };
  if (stepsAre(1)) return { kind: 'offset', k: base };
  if (stepsAre(0, 1)) return base === 0 ? { kind: 'modulo', m: extents[1] } : { kind: 'modulo', m: extents[1], k: base };
  if (stepsAre(1, 0) && base === 0) return { kind: 'divide', d: extents[1] };
  return undefined;
}

/** Out dimensions longer than 1, each as whether the map reads along it (`kept`) or not. */
function keptDims(outShape: readonly number[], kept: (d: number) => boolean): boolean[] {
  return outShape.flatMap((extent, d) => (extent > 1 ? [kept(d)] : []));
}

/**
 * The modulo or divide pattern of a map that reads along a contiguous run of dimensions and not the
 * others (dimensions of length 1 aside): those not read come all before the run (modulo its size) or
 * all after it (divided by theirs); undefined otherwise. What classifyMap finds, without the map.
 */
function runPattern(kept: readonly boolean[], keptSize: number, total: number): MapPattern | undefined {
  const first = kept.indexOf(true);
  const last = kept.lastIndexOf(true);
  if (first < 0 || kept.slice(first, last + 1).includes(false) || keptSize === total) return undefined;
  if (last === kept.length - 1) return { kind: 'modulo', m: keptSize };
  if (first === 0) return { kind: 'divide', d: total / keptSize };
  return undefined;
}

/** broadcastMap(inShape, outShape)'s pattern when it is a constant, modulo or divide, without building the map. */
export function broadcastPattern(inShape: readonly number[], outShape: readonly number[]): MapPattern | undefined {
  const offset = outShape.length - inShape.length;
  const m = sizeOf(inShape);
  if (m === 1) return sizeOf(outShape) > 0 ? { kind: 'constant', at: 0 } : undefined;
  return runPattern(keptDims(outShape, (d) => d >= offset && inShape[d - offset] !== 1), m, sizeOf(outShape));
}

/** reductionMap(inShape, axes)'s pattern when it is modulo or divide, without building the map. */
export function reductionPattern(inShape: readonly number[], axes: readonly number[]): MapPattern | undefined {
  const rows = sizeOf(inShape.filter((_, d) => !axes.includes(d)));
  if (rows <= 1) return undefined;
  return runPattern(keptDims(inShape, (d) => !axes.includes(d)), rows, sizeOf(inShape));
}

/** A map whose pattern is known as it is built: classifyMap need not scan it (10 million entries, once per view). */
function knownMap(map: Int32Array, pattern: MapPattern): Int32Array {
  patterns.set(map, pattern);
  return map;
}

/** numpy broadcasting of `inShape` to `outShape` (aligned on the right). */
export function broadcastMap(inShape: readonly number[], outShape: readonly number[]): Int32Array {
  // A scalar spread over a vector of 1e7 is all zeros: a new array already is.
  if (sizeOf(inShape) === 1) return knownMap(new Int32Array(sizeOf(outShape)), sizeOf(outShape) === 0 ? { kind: 'offset', k: 0 } : { kind: 'constant', at: 0 });
  // Equal sizes: no dimension is spread, so element i is element i.
  if (sizeOf(inShape) === sizeOf(outShape)) return affineMap([sizeOf(outShape)], [1]);
  const offset = outShape.length - inShape.length;
  const strides = stridesOf(inShape);
  return affineMap(outShape, outShape.map((_, d) => (d < offset || inShape[d - offset] === 1 ? 0 : strides[d - offset])));
}

export function sliceMap(inShape: readonly number[], begin: readonly number[], outShape: readonly number[]): Int32Array {
  const strides = stridesOf(inShape);
  return affineMap(outShape, strides, begin.reduce((at, b, d) => at + b * strides[d], 0));
}

/**
 * Entries -1 where padded. Trailing dimensions without padding are folded into the last padded one, so
 * that each row (a run of the folded dimension) is one contiguous window of the input, written in a loop.
 */
export function padMap(inShape: readonly number[], paddings: readonly (readonly number[])[], outShape: readonly number[]): Int32Array {
  const n = sizeOf(outShape);
  if (outShape.length === 0 || n === 0) return affineMap(outShape, []);
  let folded = outShape.length - 1;
  while (folded > 0 && paddings[folded][0] === 0 && paddings[folded][1] === 0) folded--;
  // Unpadded, so these extents are inShape's too; taken from outShape, rows are never empty when the map is not.
  const block = sizeOf(outShape.slice(folded + 1));
  const rowLength = outShape[folded] * block;
  const before = paddings[folded][0] * block;
  const lo = Math.max(0, before);
  const hi = Math.min(rowLength, before + inShape[folded] * block);
  const strides = stridesOf(inShape);
  const map = new Int32Array(n).fill(-1);
  const index = new Array<number>(folded).fill(0);
  for (let flat = 0; flat < n; flat += rowLength) {
    let at = 0;
    let inside = true;
    for (let d = 0; d < folded && inside; d++) {
      const i = index[d] - paddings[d][0];
      inside = i >= 0 && i < inShape[d];
      at += i * strides[d];
    }
    if (inside) for (let x = lo; x < hi; x++) map[flat + x] = at + x - before;
    for (let d = folded - 1; d >= 0 && ++index[d] === outShape[d]; d--) index[d] = 0;
  }
  const pattern = padPattern(inShape, paddings, outShape, folded);
  return pattern ? knownMap(map, pattern) : map;
}

/**
 * classify's pattern for a non-empty pad whose input is one contiguous run of the output: every input
 * dimension before the last padded one has extent 1 (otherwise pads separate the input's rows).
 */
function padPattern(inShape: readonly number[], paddings: readonly (readonly number[])[], outShape: readonly number[], folded: number): MapPattern | undefined {
  const exact = outShape.every((extent, d) => paddings[d][0] >= 0 && paddings[d][1] >= 0 && extent === paddings[d][0] + inShape[d] + paddings[d][1]);
  if (!exact || inShape.slice(0, folded).some((extent) => extent !== 1)) return undefined;
  const outStrides = stridesOf(outShape);
  const lo = paddings.reduce((at, [before], d) => at + before * outStrides[d], 0);
  return windowPattern(lo, lo + sizeOf(inShape), sizeOf(outShape));
}

/** What classify returns for a non-empty map that is -1 outside [lo, hi) and i − lo inside. */
function windowPattern(lo: number, hi: number, n: number): MapPattern {
  if (lo === hi) return { kind: 'general', padded: true };
  if (lo === 0 && hi === n) return n === 1 ? { kind: 'constant', at: 0 } : { kind: 'offset', k: 0 };
  // 0 − lo, not −lo: classify's shift is +0 when lo is 0.
  return { kind: 'window', lo, hi, k: 0 - lo };
}

export function transposeMap(inShape: readonly number[], perm: readonly number[], outShape: readonly number[]): Int32Array {
  const strides = stridesOf(inShape);
  return affineMap(outShape, perm.map((p) => strides[p]));
}

/**
 * Affine over an expanded shape: dimension d of reps·inShape[d] becomes [reps, inShape[d]] with strides
 * [0, strides[d]], whose row-major order is outShape's.
 */
export function tileMap(inShape: readonly number[], outShape: readonly number[]): Int32Array {
  const strides = stridesOf(inShape);
  const expanded = inShape.flatMap((extent, d) => [extent === 0 ? 0 : outShape[d] / extent, extent]);
  return affineMap(expanded, strides.flatMap((stride) => [0, stride]));
}

export function reverseMap(shape: readonly number[], axes: readonly number[]): Int32Array {
  const strides = stridesOf(shape);
  const base = axes.reduce((at, d) => at + (shape[d] - 1) * strides[d], 0);
  return affineMap(shape, strides.map((stride, d) => (axes.includes(d) ? -stride : stride)), base);
}

/**
 * tf.gather(x, indices, axis) with indices known at compile time: for each position before the axis and
 * each index, one contiguous run of the dimensions after it.
 */
export function gatherMap(inShape: readonly number[], indices: ArrayLike<number>, axis: number, outShape: readonly number[]): Int32Array {
  const map = new Int32Array(sizeOf(outShape));
  const indexRank = outShape.length - inShape.length + 1;
  const indexCount = sizeOf(outShape.slice(axis, axis + indexRank));
  const run = sizeOf(inShape.slice(axis + 1));
  const outerStep = inShape[axis] * run;
  let flat = 0;
  for (let outer = 0; flat < map.length; outer++) {
    for (let k = 0; k < indexCount; k++) {
      const at = outer * outerStep + indices[k] * run;
      for (let j = 0; j < run; j++) map[flat++] = at + j;
    }
  }
  return map;
}

/** For each input element, the flat index of the output element a reduction over `axes` sends it to. */
export function reductionMap(inShape: readonly number[], axes: readonly number[]): Int32Array {
  const kept = inShape.map((_, d) => d).filter((d) => !axes.includes(d));
  const outStrides = stridesOf(kept.map((d) => inShape[d]));
  return affineMap(inShape, inShape.map((_, d) => (kept.includes(d) ? outStrides[kept.indexOf(d)] : 0)));
}

/** A view of a view: element i reads base[inner[outer[i]]]. Pads must agree (the caller checks). */
export function composeMaps(inner: Int32Array, outer: Int32Array): Int32Array {
  const pattern = composedPattern(inner, outer);
  // k + i mod m (a per-channel parameter read over rows) describes every entry: one period written, then copied.
  const map = pattern?.kind === 'modulo' ? periodicMap(outer.length, pattern.m, pattern.k ?? 0) : lookUp(inner, outer);
  return pattern ? knownMap(map, pattern) : map;
}

function periodicMap(n: number, m: number, k: number): Int32Array {
  const map = new Int32Array(n);
  for (let j = 0; j < Math.min(m, n); j++) map[j] = k + j;
  repeatBlock(map, m);
  return map;
}

function lookUp(inner: Int32Array, outer: Int32Array): Int32Array {
  const map = new Int32Array(outer.length);
  for (let i = 0; i < outer.length; i++) map[i] = outer[i] < 0 ? -1 : inner[outer[i]];
  return map;
}

/**
 * composeMaps(inner, outer)'s pattern when both patterns are known, outer reads no pad and inner is a
 * constant (so is the composition) or k + i (the composition is outer moved by k, and classify's tests
 * are all relative to the first entry, save divide's, which needs it 0).
 */
function composedPattern(inner: Int32Array, outer: Int32Array): MapPattern | undefined {
  const innerPattern = patterns.get(inner);
  const outerPattern = patterns.get(outer);
  if (!innerPattern || !outerPattern || outerPattern.kind === 'window' || outerPattern.kind === 'general') return undefined;
  if (outer.length === 0) return { kind: 'offset', k: 0 };
  if (innerPattern.kind === 'constant') return innerPattern;
  if (innerPattern.kind !== 'offset') return undefined;
  const k = innerPattern.k;
  switch (outerPattern.kind) {
    case 'constant':
      return { kind: 'constant', at: outerPattern.at + k };
    case 'offset':
      return { kind: 'offset', k: outerPattern.k + k };
    case 'modulo': {
      const shifted = (outerPattern.k ?? 0) + k;
      return shifted === 0 ? { kind: 'modulo', m: outerPattern.m } : { kind: 'modulo', m: outerPattern.m, k: shifted };
    }
    case 'divide':
      return k === 0 ? outerPattern : undefined;
  }
}

/** The cheapest JS expression for reading base[map[i]] (the generated loop's index is `i`). */
export type MapPattern =
  | { readonly kind: 'constant'; readonly at: number }
  | { readonly kind: 'offset'; readonly k: number }
  /** k + i mod m (k absent: 0; a per-channel parameter sliced from the parameter vector has one). */
  | { readonly kind: 'modulo'; readonly m: number; readonly k?: number }
  | { readonly kind: 'divide'; readonly d: number }
  | { readonly kind: 'window'; readonly lo: number; readonly hi: number; readonly k: number }
  | { readonly kind: 'general'; readonly padded: boolean };

const patterns = new WeakMap<Int32Array, MapPattern>();

/** The map's pattern (cached: a view's map is read by every loop that uses the view). */
export function classifyMap(map: Int32Array): MapPattern {
  let pattern = patterns.get(map);
  if (!pattern) {
    pattern = classify(map);
    patterns.set(map, pattern);
  }
  return pattern;
}

/** Plain loops with early exits, not array methods with closures: maps have as many entries as the tensors (1e6). */
function classify(map: Int32Array): MapPattern {
  const n = map.length;
  if (n === 0) return { kind: 'offset', k: 0 };
  const first = map[0];
  if (first >= 0) {
    let i = 1;
    while (i < n && map[i] === first) i++;
    if (i === n) return { kind: 'constant', at: first };
    i = 1;
    while (i < n && map[i] === i + first) i++;
    if (i === n) return { kind: 'offset', k: first };
    const period = map.indexOf(first, 1);
    if (period > 0) {
      i = 0;
      while (i < n && map[i] === first + (i % period)) i++;
      if (i === n) return first === 0 ? { kind: 'modulo', m: period } : { kind: 'modulo', m: period, k: first };
    }
  }
  if (first === 0) {
    let run = 1;
    while (run < n && map[run] === 0) run++;
    if (run > 1 && run < n) {
      let i = run;
      while (i < n && map[i] === Math.floor(i / run)) i++;
      if (i === n) return { kind: 'divide', d: run };
    }
  }
  let lo = 0;
  while (lo < n && map[lo] < 0) lo++;
  if (lo < n) {
    const shift = map[lo] - lo;
    let hi = lo + 1;
    while (hi < n && map[hi] === hi + shift) hi++;
    let rest = hi;
    while (rest < n && map[rest] < 0) rest++;
    if (rest === n) return { kind: 'window', lo, hi, k: shift };
  }
  let padded = false;
  for (let i = 0; i < n && !padded; i++) padded = map[i] < 0;
  return { kind: 'general', padded };
}

/** For tests, not for the compiler: classify without the cache, the pattern a map was built with (undefined: none), affineMap. */
export const INDEX_MAP_INTERNALS = { classify, builtPattern: (map: Int32Array): MapPattern | undefined => patterns.get(map), affineMap } as const;
