/**
 * The space a sweep explores, parsed from `--grid NAME=SPEC` flags. SPEC is a
 * range `from:to:log|lin[:count]` (count needed by a grid, not by a search) or
 * a list of alternatives: `0,0.5,0.9`, or with `;` between alternatives when a
 * value is itself a tuple (`betas=0.9,0.999;0.8,0.99`). Values stay text, as
 * `--hp name=value` takes them, so the optimizer parses a swept value exactly
 * as it parses one given alone; ranges write numbers with String(), which reads
 * back to the same double.
 */

/** A mistake in a grid or search spec, said with the flag's text. */
export class SearchSpaceError extends Error {}

export type Scale = 'log' | 'lin';

export type Dimension =
  | { readonly name: string; readonly kind: 'range'; readonly from: number; readonly to: number; readonly scale: Scale; readonly count?: number }
  | { readonly name: string; readonly kind: 'list'; readonly values: readonly string[] };

/** One configuration: a value (as text) for every dimension's name. */
export type Point = Readonly<Record<string, string>>;

const RANGE = /^([^:]+):([^:]+):(log|lin)(?::([^:]+))?$/;

function rangeNumber(text: string, spec: string, what: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) throw new SearchSpaceError(`${spec}: ${what} must be a number, got '${text}'`);
  return n;
}

/** Parses one `NAME=SPEC`. */
export function parseDimension(spec: string): Dimension {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new SearchSpaceError(`'${spec}': expected NAME=from:to:log|lin:count or NAME=a,b,c (tuples: NAME=a,b;c,d)`);
  const name = spec.slice(0, eq).trim();
  const body = spec.slice(eq + 1).trim();
  const range = RANGE.exec(body);
  if (range) {
    const from = rangeNumber(range[1], spec, 'from');
    const to = rangeNumber(range[2], spec, 'to');
    const scale = range[3] as Scale;
    if (scale === 'log' && !(from > 0 && to > 0)) throw new SearchSpaceError(`${spec}: a log range needs from > 0 and to > 0`);
    if (range[4] === undefined) return { name, kind: 'range', from, to, scale };
    const count = rangeNumber(range[4], spec, 'count');
    if (!Number.isInteger(count) || count < 1) throw new SearchSpaceError(`${spec}: count must be a positive integer, got '${range[4]}'`);
    return { name, kind: 'range', from, to, scale, count };
  }
  const values = (body.includes(';') ? body.split(';') : body.split(',')).map((v) => v.trim());
  if (values.some((v) => v === '')) throw new SearchSpaceError(`${spec}: an empty value in the list`);
  return { name, kind: 'list', values };
}

/** Checks a set of dimensions: names once each. */
export function checkDimensions(dims: readonly Dimension[]): void {
  const seen = new Set<string>();
  for (const d of dims) {
    if (seen.has(d.name)) throw new SearchSpaceError(`'${d.name}' is given twice (one --grid per name)`);
    seen.add(d.name);
  }
}

/** The value at u in [0, 1] of a range. */
function rangeAt(d: Extract<Dimension, { kind: 'range' }>, u: number): number {
  return d.scale === 'log' ? d.from * (d.to / d.from) ** u : d.from + (d.to - d.from) * u;
}

/** A grid dimension's values, in order. */
export function gridValues(d: Dimension): string[] {
  if (d.kind === 'list') return [...d.values];
  if (d.count === undefined) throw new SearchSpaceError(`--grid ${d.name}: a grid needs a count (${d.name}=${d.from}:${d.to}:${d.scale}:COUNT)`);
  if (d.count === 1) return [String(d.from)];
  const count = d.count;
  return Array.from({ length: count }, (_, k) => String(k === count - 1 ? d.to : rangeAt(d, k / (count - 1))));
}

/** Every combination of the dimensions' values (the product; the last dimension varies fastest). */
export function gridPoints(dims: readonly Dimension[]): Point[] {
  checkDimensions(dims);
  let points: Record<string, string>[] = [{}];
  for (const d of dims) {
    const values = gridValues(d);
    points = points.flatMap((p) => values.map((v) => ({ ...p, [d.name]: v })));
  }
  return points;
}

/** The point at unit coordinates u (one in [0, 1) per dimension): ranges continuously, lists by equal shares. */
export function pointAt(dims: readonly Dimension[], u: readonly number[]): Point {
  const point: Record<string, string> = {};
  dims.forEach((d, i) => {
    point[d.name] = d.kind === 'range' ? String(rangeAt(d, u[i])) : d.values[Math.min(d.values.length - 1, Math.floor(u[i] * d.values.length))];
  });
  return point;
}
