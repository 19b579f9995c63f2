import { ScheduleError } from './scheduleError';

/** One schedule argument; its default's type decides how a spec string is read. */
export type ArgValue = number | boolean | string | number[];
export type ArgRecord = Record<string, ArgValue>;

/**
 * Reads `key=value,key=value` against `defaults` (which fix the valid keys,
 * their order and their types): unknown or repeated keys and unreadable values
 * throw a ScheduleError listing the valid keys. Lists are written `a;b;c`.
 */
export function parseArgs<T extends ArgRecord>(name: string, defaults: T, text: string): Partial<T> {
  const keys = Object.keys(defaults);
  const out: ArgRecord = {};
  for (const item of text === '' ? [] : text.split(',')) {
    const eq = item.indexOf('=');
    const key = (eq < 0 ? item : item.slice(0, eq)).trim();
    if (!keys.includes(key)) {
      throw new ScheduleError(`unknown key '${key}' for schedule '${name}'; valid keys: ${keys.join(', ') || '(none)'}`);
    }
    if (eq < 0) throw new ScheduleError(`'${key}' for schedule '${name}' needs a value (${key}=...)`);
    if (key in out) throw new ScheduleError(`'${key}' is given twice for schedule '${name}'`);
    out[key] = readValue(name, key, defaults[key], item.slice(eq + 1).trim());
  }
  return out as Partial<T>;
}

function readValue(name: string, key: string, like: ArgValue, text: string): ArgValue {
  const number = (s: string): number => {
    const n = s === '' ? NaN : Number(s);
    if (!Number.isFinite(n)) throw new ScheduleError(`${key} for schedule '${name}' must be a finite number, got '${s}'`);
    return n;
  };
  if (typeof like === 'number') return number(text);
  if (typeof like === 'boolean') {
    if (text === 'true') return true;
    if (text === 'false') return false;
    throw new ScheduleError(`${key} for schedule '${name}' must be true or false, got '${text}'`);
  }
  if (Array.isArray(like)) return text === '' ? [] : text.split(';').map((s) => number(s.trim()));
  return text;
}

/** The canonical `name:key=value,...` form, every key written, in the defaults' order. */
export function formatSpec(name: string, values: ArgRecord): string {
  const items = Object.entries(values).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(';') : String(v)}`);
  return items.length === 0 ? name : `${name}:${items.join(',')}`;
}

/** Range checks shared by the schedule factories; each throws a ScheduleError naming the argument. */
export function check(name: string, key: string, ok: boolean, want: string, got: ArgValue): void {
  if (!ok) throw new ScheduleError(`${key} for schedule '${name}' must be ${want}, got ${String(got)}`);
}

export const isNonNegative = (v: number): boolean => Number.isFinite(v) && v >= 0;
export const isPositive = (v: number): boolean => Number.isFinite(v) && v > 0;
export const isCount = (v: number, min: number): boolean => Number.isInteger(v) && v >= min;
