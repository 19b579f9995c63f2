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

function mapOver(outShape: readonly number[], source: (index: number[]) => number): Int32Array {
  const map = new Int32Array(sizeOf(outShape));
  forEachIndex(outShape, (flat, index) => (map[flat] = source(index)));
  return map;
}

/**
 * map[flat] = base + Σ_d index[d]·strides[d] over outShape: the maps of broadcasts, slices, transposes
 * and reductions, written a row at a time with no callback per element (maps have millions of entries).
 */
function affineMap(outShape: readonly number[], strides: readonly number[], base = 0): Int32Array {
  const n = sizeOf(outShape);
  const map = new Int32Array(n);
  const rank = outShape.length;
  if (n === 0) return map;
  if (rank === 0) {
    map[0] = base;
    return map;
  }
  const inner = outShape[rank - 1];
  const innerStride = strides[rank - 1];
  const index = new Array<number>(rank).fill(0);
  let at = base;
  for (let flat = 0; flat < n; flat += inner) {
    for (let j = 0; j < inner; j++) map[flat + j] = at + j * innerStride;
    for (let d = rank - 2; d >= 0; d--) {
      at += strides[d];
      if (++index[d] < outShape[d]) break;
      at -= strides[d] * outShape[d];
      index[d] = 0;
    }
  }
  return map;
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

function identityMap(n: number): Int32Array {
  const map = new Int32Array(n);
  for (let i = 0; i < n; i++) map[i] = i;
  return knownMap(map, { kind: 'offset', k: 0 });
}

/** numpy broadcasting of `inShape` to `outShape` (aligned on the right). */
export function broadcastMap(inShape: readonly number[], outShape: readonly number[]): Int32Array {
  // The common cases without a callback per element (a scalar's gradient spread over a vector of 1e7): all zeros, or i itself.
  if (sizeOf(inShape) === 1) return knownMap(new Int32Array(sizeOf(outShape)), sizeOf(outShape) === 0 ? { kind: 'offset', k: 0 } : { kind: 'constant', at: 0 });
  // Equal sizes: no dimension is spread, so element i is element i.
  if (sizeOf(inShape) === sizeOf(outShape)) return identityMap(sizeOf(outShape));
  const offset = outShape.length - inShape.length;
  const strides = stridesOf(inShape);
  return affineMap(outShape, outShape.map((_, d) => (d < offset || inShape[d - offset] === 1 ? 0 : strides[d - offset])));
}

export function sliceMap(inShape: readonly number[], begin: readonly number[], outShape: readonly number[]): Int32Array {
  if (outShape.length === 1) {
    // The common case (a vector's slices) without a callback per element: maps have as many entries as the tensors.
    const map = new Int32Array(outShape[0]);
    for (let i = 0; i < map.length; i++) map[i] = i + begin[0];
    return map;
  }
  const strides = stridesOf(inShape);
  return affineMap(outShape, strides, begin.reduce((at, b, d) => at + b * strides[d], 0));
}

export function padMap(inShape: readonly number[], paddings: readonly (readonly number[])[], outShape: readonly number[]): Int32Array {
  if (outShape.length === 1) {
    const map = new Int32Array(outShape[0]);
    const before = paddings[0][0];
    for (let i = 0; i < map.length; i++) map[i] = i >= before && i - before < inShape[0] ? i - before : -1;
    return map;
  }
  const strides = stridesOf(inShape);
  return mapOver(outShape, (index) => {
    let at = 0;
    for (let d = 0; d < inShape.length; d++) {
      const i = index[d] - paddings[d][0];
      if (i < 0 || i >= inShape[d]) return -1;
      at += i * strides[d];
    }
    return at;
  });
}

export function transposeMap(inShape: readonly number[], perm: readonly number[], outShape: readonly number[]): Int32Array {
  const strides = stridesOf(inShape);
  return affineMap(outShape, perm.map((p) => strides[p]));
}

export function tileMap(inShape: readonly number[], outShape: readonly number[]): Int32Array {
  const strides = stridesOf(inShape);
  return mapOver(outShape, (index) => index.reduce((at, i, d) => at + (i % inShape[d]) * strides[d], 0));
}

export function reverseMap(shape: readonly number[], axes: readonly number[]): Int32Array {
  const strides = stridesOf(shape);
  const base = axes.reduce((at, d) => at + (shape[d] - 1) * strides[d], 0);
  return affineMap(shape, strides.map((stride, d) => (axes.includes(d) ? -stride : stride)), base);
}

/** tf.gather(x, indices, axis) with indices known at compile time. */
export function gatherMap(inShape: readonly number[], indices: ArrayLike<number>, axis: number, outShape: readonly number[]): Int32Array {
  const strides = stridesOf(inShape);
  const indexRank = outShape.length - inShape.length + 1;
  const indexStrides = stridesOf(outShape.slice(axis, axis + indexRank));
  return mapOver(outShape, (index) => {
    let at = 0;
    for (let d = 0; d < axis; d++) at += index[d] * strides[d];
    let k = 0;
    for (let j = 0; j < indexRank; j++) k += index[axis + j] * indexStrides[j];
    at += indices[k] * strides[axis];
    for (let d = axis + 1; d < inShape.length; d++) at += index[d + indexRank - 1] * strides[d];
    return at;
  });
}

/** For each input element, the flat index of the output element a reduction over `axes` sends it to. */
export function reductionMap(inShape: readonly number[], axes: readonly number[]): Int32Array {
  const kept = inShape.map((_, d) => d).filter((d) => !axes.includes(d));
  const outStrides = stridesOf(kept.map((d) => inShape[d]));
  return affineMap(inShape, inShape.map((_, d) => (kept.includes(d) ? outStrides[kept.indexOf(d)] : 0)));
}

/** A view of a view: element i reads base[inner[outer[i]]]. Pads must agree (the caller checks). */
export function composeMaps(inner: Int32Array, outer: Int32Array): Int32Array {
  const map = new Int32Array(outer.length);
  for (let i = 0; i < outer.length; i++) map[i] = outer[i] < 0 ? -1 : inner[outer[i]];
  return map;
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
