/**
 * One JSON line of a saved run file, with the numbers JSON cannot carry well: a long number array becomes
 * little-endian binary in base64 (`{"$f32": …}` when every entry is a float32 exactly, else `{"$f64": …}`),
 * about half the bytes of decimal text and exact; NaN and ±Infinity (which JSON writes as null) become
 * `{"$num": "NaN"}`. Decoding reverses both, so encode then decode gives back the same numbers.
 */

/** Number arrays at least this long are written in binary (short ones read better as text). */
export const BINARY_MIN_LENGTH = 32;

function isNumberArray(value: unknown): value is number[] {
  if (!Array.isArray(value) || value.length < BINARY_MIN_LENGTH) return false;
  for (const v of value) if (typeof v !== 'number') return false;
  return true;
}

function binary(values: readonly number[]): { $f32: string } | { $f64: string } {
  const exact32 = values.every((v) => Object.is(Math.fround(v), v));
  const array = exact32 ? Float32Array.from(values) : Float64Array.from(values);
  const text = Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('base64');
  return exact32 ? { $f32: text } : { $f64: text };
}

function fromBinary(text: string, wide: boolean): number[] {
  const bytes = Buffer.from(text, 'base64');
  const size = wide ? 8 : 4;
  if (bytes.byteLength % size !== 0) throw new Error(`binary array of ${bytes.byteLength} bytes is not a whole number of float${size * 8}s`);
  // Copied into a fresh buffer: a Buffer's offset need not be aligned for a typed array.
  const copy = new Uint8Array(bytes).buffer;
  return Array.from(wide ? new Float64Array(copy) : new Float32Array(copy));
}

/** `value` as one line of JSON (no newline inside). */
export function encodeLine(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) return { $num: String(v) };
    if (isNumberArray(v)) return binary(v);
    return v;
  });
}

/** A line written by `encodeLine`, decoded (throws on text that is not JSON or a bad binary array). */
export function decodeLine(line: string): unknown {
  return JSON.parse(line, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const keys = Object.keys(v);
    if (keys.length !== 1) return v;
    const o = v as Record<string, unknown>;
    if (typeof o.$f32 === 'string') return fromBinary(o.$f32, false);
    if (typeof o.$f64 === 'string') return fromBinary(o.$f64, true);
    if (typeof o.$num === 'string') return Number(o.$num);
    return v;
  });
}
