/**
 * Hyperparameter specs. Names and defaults follow torch.optim exactly, so
 * `--hp momentum=0.9` means what it means in PyTorch.
 */
export type HpValue = number | boolean | string | number[];
export type HpRecord = Record<string, HpValue>;

export interface HpSpec {
  readonly name: string;
  readonly kind: 'number' | 'boolean' | 'enum' | 'pair' | 'tuple';
  readonly default: HpValue;
  readonly doc: string;
  /** For 'tuple': how many numbers (a 'pair' has two). */
  readonly length?: number;
  /** For 'enum': the allowed values. */
  readonly values?: readonly string[];
  /** Returns an error message naming the problem, or undefined when valid. */
  readonly check?: (value: HpValue, all: HpRecord) => string | undefined;
}

export class HyperparameterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HyperparameterError';
  }
}

/** Fills defaults, rejects unknown names (listing the valid ones) and out-of-range values. */
export function resolveHyperparams(optimizerId: string, specs: readonly HpSpec[], given: HpRecord): HpRecord {
  const byName = new Map(specs.map((s) => [s.name, s]));
  for (const name of Object.keys(given)) {
    if (!byName.has(name)) {
      throw new HyperparameterError(
        `unknown hyperparameter '${name}' for optimizer '${optimizerId}'; valid: ${specs.map((s) => s.name).join(', ')}`,
      );
    }
  }
  const out: HpRecord = {};
  for (const spec of specs) out[spec.name] = coerce(optimizerId, spec, given[spec.name] ?? spec.default);
  for (const spec of specs) {
    const problem = spec.check?.(out[spec.name], out);
    if (problem) throw new HyperparameterError(`invalid ${spec.name} for '${optimizerId}': ${problem}`);
  }
  return out;
}

/** Accepts CLI strings ('0.9', 'true', '0.9,0.999') as well as typed values. */
function coerce(optimizerId: string, spec: HpSpec, value: HpValue): HpValue {
  const bad = (what: string) =>
    new HyperparameterError(`${spec.name} for '${optimizerId}' must be ${what}, got ${JSON.stringify(value)}`);
  switch (spec.kind) {
    case 'number': {
      const n = typeof value === 'string' ? Number(value) : value;
      if (typeof n !== 'number' || Number.isNaN(n)) throw bad('a number');
      return n;
    }
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === '1') return true;
      if (value === 'false' || value === '0') return false;
      throw bad('true or false');
    }
    case 'enum': {
      const s = String(value);
      if (!spec.values?.includes(s)) throw bad(`one of ${spec.values?.join('|')}`);
      return s;
    }
    case 'pair':
    case 'tuple': {
      const length = spec.kind === 'pair' ? 2 : (spec.length ?? 2);
      const arr = typeof value === 'string' ? value.split(',').map(Number) : value;
      if (!Array.isArray(arr) || arr.length !== length || arr.some((x) => typeof x !== 'number' || Number.isNaN(x))) {
        throw bad(length === 2 ? 'two numbers (a,b)' : `${length} numbers separated by commas`);
      }
      return arr;
    }
  }
}

/** Shared range checks, worded like torch's. */
export const nonNegative = (v: HpValue): string | undefined =>
  typeof v === 'number' && v >= 0 ? undefined : `must be >= 0, got ${String(v)}`;
export const inUnitInterval = (v: HpValue): string | undefined =>
  typeof v === 'number' && v >= 0 && v < 1 ? undefined : `must be in [0, 1), got ${String(v)}`;
export const betasInUnitInterval = (v: HpValue): string | undefined =>
  Array.isArray(v) && v.every((b) => b >= 0 && b < 1) ? undefined : `each beta must be in [0, 1), got ${JSON.stringify(v)}`;
