/**
 * The objective-file contract: every exported function with an `init`
 * property is an objective. This module finds them and validates each part of
 * the contract (init, minimum, domain, data/batchSize, constraint) with
 * messages that point at the objective's declaration.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { ParamLayout, Params } from '../core/paramLayout';
import type { ObjectiveInfo, RunError } from '../protocol/runner';
import { projectionOf, type Projection } from './constraints';
import { loadDataset, type Batch, type Dataset } from './dataset';
import { flatInitialParams, InitError, initParams } from './initParams';
import { createRng, mixSeed } from './rng';
import { RunFailure } from './runFailure';

export type UserObjective = ((params: Params, batch?: Batch) => unknown) & Record<string, unknown>;

export interface ObjectiveEntry {
  readonly name: string;
  readonly fn: UserObjective;
  /** 1-based line of the declaration, when found in the source. */
  readonly line?: number;
}

export interface PreparedObjective {
  readonly name: string;
  readonly fn: UserObjective;
  readonly layout: ParamLayout;
  /** Initial flat parameters, made on first use (the compiled path never asks); dispose() frees it. */
  readonly x0: tfType.Tensor1D;
  /** The same initial parameters on the host (never written). */
  readonly x0Values: Float32Array;
  readonly minimum?: number;
  readonly domain?: [number, number][];
  readonly dataset?: Dataset;
  readonly project?: Projection;
  dispose(): void;
}

/** 1-based line where `name` is declared as an export in `source`. */
export function declarationLine(source: string | undefined, name: string): number | undefined {
  if (!source) return undefined;
  const pattern = new RegExp(`^\\s*export\\s+(?:async\\s+)?(?:function\\s*\\*?\\s*|(?:const|let|var)\\s+)${name.replace(/\$/g, '\\$')}\\b`);
  const i = source.split('\n').findIndex((l) => pattern.test(l));
  return i >= 0 ? i + 1 : undefined;
}

export function discoverObjectives(exports: Record<string, unknown>, source?: string): ObjectiveEntry[] {
  return Object.keys(exports)
    .filter((name) => name !== 'default' || typeof exports[name] === 'function')
    .filter((name) => typeof exports[name] === 'function' && 'init' in (exports[name] as object))
    .map((name) => ({ name, fn: exports[name] as UserObjective, line: declarationLine(source, name) }))
    // Bundles list exports alphabetically; the file's order is what the user wrote.
    .sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
}

/** The objective to run: the named one, or the only one; otherwise a message listing the choices. */
export function pickObjective(exports: Record<string, unknown>, entries: readonly ObjectiveEntry[], file: string, name?: string): ObjectiveEntry {
  const names = entries.map((e) => e.name).join(', ');
  if (name !== undefined) {
    const found = entries.find((e) => e.name === name);
    if (found) return found;
    const bare = typeof exports[name] === 'function';
    const message = bare
      ? `exported function '${name}' is not an objective: it has no \`init\` property (add e.g. \`${name}.init = [0, 0]\`)`
      : `no objective named '${name}' in ${file}; objectives: ${names || '(none)'}`;
    throw new RunFailure({ kind: 'objective', message, file });
  }
  if (entries.length === 1) return entries[0];
  if (entries.length === 0) {
    const fns = Object.keys(exports).filter((k) => typeof exports[k] === 'function');
    const hint = fns.length > 0 ? ` (exported functions without init: ${fns.join(', ')})` : '';
    throw new RunFailure({
      kind: 'objective',
      message: `no objective in ${file}: an objective is an exported function with an \`init\` property${hint}`,
      file,
    });
  }
  throw new RunFailure({ kind: 'objective', message: `${file} has ${entries.length} objectives (${names}); choose one with --objective NAME`, file });
}

function where(entry: ObjectiveEntry, file: string): Pick<RunError, 'file' | 'line'> {
  return entry.line ? { file, line: entry.line } : { file };
}

function checkMinimum(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || Number.isNaN(v)) throw new InitError(`minimum must be a number, got ${JSON.stringify(v)}`);
  return v;
}

function checkDomain(v: unknown): [number, number][] | undefined {
  if (v === undefined) return undefined;
  const ok = Array.isArray(v) && v.length > 0 && v.every((p) => Array.isArray(p) && p.length === 2 && p.every(Number.isFinite) && p[0] < p[1]);
  if (!ok) throw new InitError(`domain must be [[lo, hi], ...] with finite lo < hi, got ${JSON.stringify(v)}`);
  return v as [number, number][];
}

/** Data a sweep's worker keeps between runs of one objective and seed (sweepReuse.ts): no `data` call or row conversion again. */
export interface KeptData {
  /** The kept rows as a new Dataset drawing batches with this seed; undefined until a run kept them. */
  dataset(seed: number, tf: typeof tfType): Dataset | undefined;
  keep(dataset: Dataset): void;
}

/** Validates the whole contract and materialises parameters, data and projection (seeded). */
export function prepareObjective(entry: ObjectiveEntry, file: string, seed: number, tf: typeof tfType, kept?: KeptData): PreparedObjective {
  const fn = entry.fn;
  let dataset: Dataset | undefined;
  try {
    if (fn.init === undefined || fn.init === null) throw new InitError(`init is ${String(fn.init)}; give the starting point, e.g. \`${entry.name}.init = [0, 0]\``);
    const { layout, x0Values } = flatInitialParams(initParams(fn.init, createRng(mixSeed(seed, 0)), tf));
    const minimum = checkMinimum(fn.minimum);
    const domain = checkDomain(fn.domain);
    if (fn.batchSize !== undefined && fn.data === undefined) throw new InitError('batchSize is set but data is not');
    if (fn.data !== undefined) {
      const batchSeed = mixSeed(seed, 2);
      dataset = kept?.dataset(batchSeed, tf) ?? loadDataset(fn.data, fn.batchSize, batchSeed, createRng(mixSeed(seed, 1)), tf);
      kept?.keep(dataset);
    }
    const project = projectionOf(fn.constraint, layout, tf);
    const data = dataset;
    let x0: tfType.Tensor1D | undefined;
    return {
      name: entry.name, fn, layout, minimum, domain, dataset: data, project, x0Values,
      get x0() {
        x0 ??= tf.tensor1d(x0Values);
        return x0;
      },
      dispose: () => {
        x0?.dispose();
        data?.dispose();
      },
    };
  } catch (e) {
    dataset?.dispose();
    if (e instanceof InitError) {
      const kind = /^(init|data|batchSize)/.test(e.message) ? 'init' : 'objective';
      throw new RunFailure({ kind, message: `objective '${entry.name}': ${e.message}`, ...where(entry, file) });
    }
    throw e;
  }
}

/** A summary per objective for `list` (parameter count, or the contract problem). */
export function describeObjectives(entries: readonly ObjectiveEntry[], file: string, tf: typeof tfType): ObjectiveInfo[] {
  return entries.map((entry) => {
    const base = {
      name: entry.name,
      stochastic: entry.fn.data !== undefined,
      hasMinimum: typeof entry.fn.minimum === 'number',
      ...(entry.line ? { line: entry.line } : {}),
    };
    try {
      const prepared = tf.tidy(() => {
        const p = prepareObjective(entry, file, 0, tf);
        const n = p.layout.size;
        p.dispose();
        return n;
      });
      return { ...base, paramCount: prepared };
    } catch (e) {
      return { ...base, paramCount: null, problem: e instanceof RunFailure ? e.error.message : (e as Error).message };
    }
  });
}
