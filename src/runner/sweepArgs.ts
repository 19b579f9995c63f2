/** Parses `optlab sweep` and `optlab lr-find` command lines (the rest of the grammar is cliArgs.ts's). */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { LR_FINDER_DEFAULTS } from '../core/tuning/lrFinder';
import { SEARCH_METHODS, type SearchMethod } from '../core/tuning/search';
import { SearchSpaceError, gridPoints, parseDimension, type Dimension } from '../core/tuning/searchSpace';
import { SOBOL_MAX_DIMENSIONS } from '../core/tuning/sobol';
import type { BackendId } from '../protocol/runner';
import {
  COMPARE_DEFAULT_GRID, COMPARE_DEFAULT_SEEDS, DEFAULT_STEPS, DEFAULT_TIME_LIMIT_S, UsageError, backend, hpPairs, number, parseOptimizerArg, type OptimizerArg,
} from './cliArgs';

interface TuningBase {
  readonly file: string;
  readonly objective?: string;
  readonly optimizer: string;
  /** Absolute path of the rule's file (`--optimizer FILE#NAME`). */
  readonly optimizerFile?: string;
  readonly hp: Record<string, string>;
  readonly steps: number;
  readonly backend?: BackendId;
  readonly compile: boolean;
  readonly timeLimitMs: number;
  readonly json?: string;
}

export interface SweepCommand extends TuningBase {
  readonly command: 'sweep';
  readonly lr?: number;
  readonly dims: readonly Dimension[];
  readonly mode: 'grid' | SearchMethod;
  readonly trials?: number;
  readonly halving: boolean;
  readonly seed: number;
  readonly seeds: number;
  /** Worker threads; undefined = one per core. */
  readonly workers?: number;
  readonly csv?: string;
  /** `--compare A,B,…`: a tuned comparison of these optimizers (`seeds` then counts held-out seeds). */
  readonly compare?: readonly OptimizerArg[];
}

export interface LrFindCommand extends TuningBase {
  readonly command: 'lr-find';
  readonly from: number;
  readonly to: number;
  readonly seed: number;
}

const COMMON = {
  objective: { type: 'string' },
  optimizer: { type: 'string' },
  hp: { type: 'string', multiple: true },
  steps: { type: 'string' },
  seed: { type: 'string' },
  backend: { type: 'string' },
  json: { type: 'string' },
  'time-limit': { type: 'string' },
  'no-compile': { type: 'boolean' },
} as const;

const SWEEP = {
  ...COMMON, grid: { type: 'string', multiple: true }, lr: { type: 'string' }, seeds: { type: 'string' }, search: { type: 'string' },
  trials: { type: 'string' }, halving: { type: 'boolean' }, workers: { type: 'string' }, csv: { type: 'string' }, compare: { type: 'string' },
} as const;

/** `--compare A,B,…`: two or more optimizers (built-in ids or FILE#NAME rules), refused beside --optimizer and --halving. */
function compareList(v: { compare?: string; optimizer?: string; halving?: boolean }): OptimizerArg[] | undefined {
  if (v.compare === undefined) return undefined;
  if (v.optimizer !== undefined) throw new UsageError('--compare names the optimizers: drop --optimizer');
  if (v.halving) throw new UsageError('--compare gives every optimizer the whole budget: drop --halving');
  const list = v.compare.split(',').map((s) => s.trim()).filter(Boolean).map((s) => parseOptimizerArg(s));
  if (list.length < 2) throw new UsageError(`--compare needs two or more optimizers (A,B,…), got '${v.compare}'`);
  return list;
}
const LR_FIND = { ...COMMON, from: { type: 'string' }, to: { type: 'string' } } as const;

const positiveInt = (n: number) => Number.isInteger(n) && n >= 1;

function parse<T extends typeof SWEEP | typeof LR_FIND>(command: string, args: readonly string[], options: T) {
  let parsed;
  try {
    parsed = parseArgs({ args: args as string[], allowPositionals: true, strict: true, options });
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]);
  }
  if (parsed.positionals.length !== 1) throw new UsageError(`${command} takes one objective file, got ${parsed.positionals.length}`);
  return parsed;
}

function base(v: Record<string, string | boolean | string[] | undefined>, file: string, defaultSteps: number): TuningBase {
  const optimizer = parseOptimizerArg((v.optimizer as string | undefined) ?? 'adam');
  return {
    file,
    ...(v.objective !== undefined ? { objective: v.objective as string } : {}),
    optimizer: optimizer.id,
    ...(optimizer.file !== undefined ? { optimizerFile: optimizer.file } : {}),
    hp: hpPairs(v.hp as string[] | undefined),
    steps: number('steps', v.steps as string | undefined, positiveInt, 'a positive integer') ?? defaultSteps,
    backend: backend(v.backend as string | undefined),
    compile: v['no-compile'] !== true,
    timeLimitMs: (number('time-limit', v['time-limit'] as string | undefined, (n) => n > 0 && Number.isFinite(n), 'a positive number of seconds') ?? DEFAULT_TIME_LIMIT_S) * 1000,
    ...(v.json !== undefined ? { json: path.resolve(v.json as string) } : {}),
  };
}

function dimensions(specs: readonly string[] | undefined, search: boolean): Dimension[] {
  if (!specs || specs.length === 0) throw new UsageError('sweep needs at least one --grid NAME=SPEC (e.g. --grid lr=1e-4:1e-1:log:16)');
  try {
    const dims = specs.map(parseDimension);
    if (!search) gridPoints(dims);
    return dims;
  } catch (e) {
    if (e instanceof SearchSpaceError) throw new UsageError(`--grid ${e.message}`);
    throw e;
  }
}

function sweepCommand(args: readonly string[]): SweepCommand {
  const { values: v, positionals } = parse('sweep', args, SWEEP);
  const search = v.search;
  if (search !== undefined && !SEARCH_METHODS.includes(search as SearchMethod)) throw new UsageError(`--search must be ${SEARCH_METHODS.join(' or ')}, got '${search}'`);
  const trials = number('trials', v.trials, positiveInt, 'a positive integer');
  if (search !== undefined && trials === undefined) throw new UsageError(`--search ${search} needs --trials N`);
  if (search === undefined && trials !== undefined) throw new UsageError('--trials goes with --search random|sobol');
  if (v.halving && search === undefined) throw new UsageError('--halving goes with --search random|sobol');
  const compare = compareList(v);
  const dims = dimensions(v.grid ?? (compare ? [COMPARE_DEFAULT_GRID] : undefined), search !== undefined);
  if (search === 'sobol' && dims.length > SOBOL_MAX_DIMENSIONS) throw new UsageError(`--search sobol takes at most ${SOBOL_MAX_DIMENSIONS} --grid dimensions, got ${dims.length}`);
  if (dims.some((d) => d.name === 'lr') && v.lr !== undefined) throw new UsageError('lr is both swept (--grid lr=…) and fixed (--lr): give one');
  const lr = number('lr', v.lr, Number.isFinite, 'a number');
  // tfjs-node must not load in worker threads (a native crash takes the whole process down).
  if (v.backend === 'node') throw new UsageError("--backend node is not for sweeps (their worker threads cannot load tfjs-node): use wasm or cpu");
  return {
    command: 'sweep',
    ...base(v, positionals[0], DEFAULT_STEPS),
    ...(lr !== undefined ? { lr } : {}),
    dims,
    mode: (search as SearchMethod | undefined) ?? 'grid',
    ...(trials !== undefined ? { trials } : {}),
    halving: v.halving === true,
    seed: number('seed', v.seed, Number.isInteger, 'an integer') ?? 0,
    seeds: number('seeds', v.seeds, positiveInt, 'a positive integer') ?? (compare ? COMPARE_DEFAULT_SEEDS : 1),
    ...(compare ? { compare } : {}),
    ...(v.workers !== undefined ? { workers: number('workers', v.workers, positiveInt, 'a positive integer') } : {}),
    ...(v.csv !== undefined ? { csv: path.resolve(v.csv) } : {}),
  };
}

function lrFindCommand(args: readonly string[]): LrFindCommand {
  const { values: v, positionals } = parse('lr-find', args, LR_FIND);
  const from = number('from', v.from, (n) => n > 0 && Number.isFinite(n), 'a positive number') ?? LR_FINDER_DEFAULTS.from;
  const to = number('to', v.to, (n) => n > 0 && Number.isFinite(n), 'a positive number') ?? LR_FINDER_DEFAULTS.to;
  if (!(to > from)) throw new UsageError(`--to (${to}) must be above --from (${from})`);
  const parsed = base(v, positionals[0], LR_FINDER_DEFAULTS.steps);
  if (parsed.steps < 2) throw new UsageError('lr-find needs --steps of at least 2');
  return { command: 'lr-find', ...parsed, from, to, seed: number('seed', v.seed, Number.isInteger, 'an integer') ?? 0 };
}

export function parseTuningCommand(command: 'sweep' | 'lr-find', args: readonly string[]): SweepCommand | LrFindCommand {
  return command === 'sweep' ? sweepCommand(args) : lrFindCommand(args);
}

/** Configurations a set of `--grid` flags makes (their product), as the sweep will plan them; undefined when one does not parse. */
export function gridSize(grids: readonly string[]): number | undefined {
  try {
    return gridPoints(grids.map((g) => parseDimension(g))).length;
  } catch {
    return undefined;
  }
}
