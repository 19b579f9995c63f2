/** Parses `optlab` command lines (node:util parseArgs) into typed commands. */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { PARAMS_INLINE_MAX, backendIdSchema, type BackendId } from '../protocol/runner';
import { LR_FINDER_DEFAULTS } from '../core/tuning/lrFinder';
import { diagnosticsPresetSchema, type DiagnosticsPreset } from '../protocol/diagnostics';
import { parseMemorySize } from './memoryLimit';
import { parseTuningCommand, type LrFindCommand, type SweepCommand } from './sweepArgs';
import { parseSavedRunsCommand, type SavedRunsCommand } from './runFiles/runsCli';

export interface RunCommand {
  readonly command: 'run';
  readonly file: string;
  readonly objective?: string;
  /** A built-in optimizer's id, or with `optimizerFile` the rule's export name ('' = the file's only rule). */
  readonly optimizer: string;
  /** Absolute path of the file exporting the optimizer rule (`--optimizer FILE#NAME`). */
  readonly optimizerFile?: string;
  readonly lr?: number;
  readonly steps: number;
  readonly hp: Record<string, string>;
  /** A schedule spec (`--schedule SPEC`). */
  readonly schedule?: string;
  /** A schedule function exported by a file (`--schedule FILE#NAME`; name '' = the file's only one). */
  readonly scheduleFile?: { readonly file: string; readonly name: string };
  readonly seed: number;
  readonly backend?: BackendId;
  readonly curvatureEvery: number | 'auto';
  /** `--diagnostics economy|standard|full` (src/runner/diagnosticsPlan.ts). */
  readonly diagnostics?: DiagnosticsPreset;
  /** `--spectrum`: spectral density and trace in every curvature sample. */
  readonly spectrum?: boolean;
  /** `--step-diagnostics`: per-tensor norms and the step-size gauge on step records (src/protocol/stepDiagnostics.ts). */
  readonly stepDiagnostics?: boolean;
  readonly json?: string;
  readonly csv?: string;
  /** Self-contained HTML dashboard of the run. */
  readonly report?: string;
  readonly maximize: boolean;
  readonly clipNorm?: number;
  readonly noiseTemperature?: number;
  readonly timeLimitMs: number;
  /** Compile the objective when the run allows it (src/runner/arrayPath.ts): the runner's default unless --no-compile. */
  readonly compile: boolean;
  /** Write the final parameters as a float32 .npy here (absolute). */
  readonly saveParams?: string;
  /** The run's memory limit in bytes (`--memory-limit 2GB`); the runner's default when absent. */
  readonly memoryLimitBytes?: number;
  /** `--threads N`: threads for the compiled run's large products (src/runner/runThreads.ts); the runner's default when absent. */
  readonly threads?: number;
}

export type Command =
  | RunCommand
  | { readonly command: 'list'; readonly file: string }
  /** Every built-in optimizer; `json`: as JSON on stdout (the build writes dist/optimizers.json with it). */
  | { readonly command: 'list-optimizers'; readonly json: boolean }
  | { readonly command: 'demo'; readonly backend?: BackendId; readonly report?: string }
  | SweepCommand
  | LrFindCommand
  /** Saved runs (the editor's .optimizer-lab/runs): list them, or report on them. */
  | SavedRunsCommand
  | { readonly command: 'help' };

/** A command-line mistake: printed as one line, exit code 2. */
export class UsageError extends Error {}

/** A tuned comparison's (sweep --compare) lr grid when no --grid is given: 1e-5 … 1, two points a decade. */
export const COMPARE_DEFAULT_GRID = 'lr=1e-5:1:log:11';
/** Held-out seeds of a tuned comparison when --seeds is absent. */
export const COMPARE_DEFAULT_SEEDS = 3;

export const USAGE = `usage:
  optlab run <file.ts> [--objective NAME] [--optimizer ID|FILE#NAME] [--lr X] [--steps N] [--hp key=value]...
                       [--schedule SPEC|FILE#NAME] [--seed N] [--backend node|wasm|cpu] [--curvature-every K|auto]
                       [--diagnostics economy|standard|full] [--spectrum] [--step-diagnostics]
                       [--json PATH] [--csv PATH] [--report PATH.html] [--maximize] [--clip-norm X] [--noise T] [--no-compile]
                       [--time-limit S] [--memory-limit SIZE] [--save-params PATH.npy] [--threads N]
  optlab sweep <file.ts> [--objective NAME] [--optimizer ID|FILE#NAME | --compare A,B,...] --grid NAME=SPEC... [--hp key=value]... [--lr X]
                         [--steps N] [--seeds K] [--search random|sobol --trials N [--halving] [--seed S]] [--workers N]
                         [--json PATH] [--csv PATH] [--backend wasm|cpu] [--time-limit S] [--no-compile]
  optlab lr-find <file.ts> [--objective NAME] [--optimizer ID|FILE#NAME] [--hp key=value]... [--from X] [--to X] [--steps N]
                           [--seed N] [--json PATH] [--backend node|wasm|cpu] [--no-compile]
  optlab list <file.ts>
  optlab list-optimizers [--json]
  optlab runs [DIR]                 the saved runs in DIR (default .optimizer-lab/runs, where the editor saves them)
  optlab report <run files or DIRs...> -o PATH.html [--title TEXT]
  optlab demo [--backend node|wasm|cpu] [--report PATH.html]

  --schedule SPEC        e.g. cosine:T_max=500, warmup:steps=10+cosine, sequential:milestones=10;50+linear+cosine+constant,
                         exponential:gamma=0.99*step:step_size=30 (a product, torch's ChainedScheduler); see README
  --schedule FILE#NAME   a function FILE exports: (step) => factor on the lr (LambdaLR) or (step, lr) => next lr
  --memory-limit SIZE    stop the run when the runner passes SIZE (e.g. 2GB, 512MB; default half the machine's memory)
  --threads N            threads for a compiled run's large matrix products (default: the cores, at most 4; 1: one thread)
  --grid NAME=SPEC       a swept hyperparameter (lr too): from:to:log|lin:count, or a list 0,0.5,0.9; tuples with ';' between
                         alternatives (betas=0.9,0.999;0.8,0.99); several --grid form the product. A search takes
                         from:to:log|lin (no count) and samples --trials points; --halving drops the worse half at 1/8, 1/4, 1/2
  --workers N            worker threads of a sweep (default: one per core)
  --compare A,B,...      sweep instead of --optimizer: a tuned comparison. Each optimizer gets the same --grid (default
                         ${COMPARE_DEFAULT_GRID}), one run per configuration on seed 0 (equal budget); its best configuration
                         runs again on --seeds K held-out seeds 1..K (default ${COMPARE_DEFAULT_SEEDS}), compared by mean final loss
  lr-find                the lr grows exponentially from --from (${LR_FINDER_DEFAULTS.from}) to --to (${LR_FINDER_DEFAULTS.to}) over --steps (${LR_FINDER_DEFAULTS.steps}); stops when
                         the smoothed loss passes 4x its best; suggests the steepest-descent lr and the minimum's lr / 10
  --save-params PATH     write the final parameters to PATH as float32 .npy (numpy.load); --json lists them only up to
                         ${PARAMS_INLINE_MAX.toLocaleString('en-US')} parameters (a summary above that)`;

export function number(name: string, text: string | undefined, check: (n: number) => boolean, what: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || Number.isNaN(n) || !check(n)) throw new UsageError(`--${name} must be ${what}, got '${text}'`);
  return n;
}

/** An `--optimizer` value: a built-in id, or a rule exported by a file. */
export interface OptimizerArg {
  /** The built-in's id, or the rule's export name ('' when the file exports one rule). */
  readonly id: string;
  /** Absolute path of the rule's file. */
  readonly file?: string;
}

/**
 * FILE#NAME (absolute or relative to `cwd`; `#NAME` may be left out: name ''), or undefined when
 * `value` names no file. A value is a file when it has a path separator, a .ts/.js ending or a '#':
 * built-in optimizer ids and schedule specs have none of these.
 */
function fileReference(flag: string, value: string, cwd: string): { name: string; file: string } | undefined {
  if (!/[/\\#]|\.[jt]s$/.test(value)) return undefined;
  // The last '#' separates the name, unless a path separator follows it (a folder named 'a#b').
  const hash = value.lastIndexOf('#');
  const named = hash >= 0 && !/[/\\]/.test(value.slice(hash + 1));
  const file = named ? value.slice(0, hash) : value;
  const name = named ? value.slice(hash + 1).trim() : '';
  if (file === '') throw new UsageError(`--${flag} ${value}: the file before '#' is missing (FILE#NAME)`);
  // A Windows path (C:\x\lion.ts) is absolute wherever the command line was written.
  const absolute = path.isAbsolute(file) || path.win32.isAbsolute(file);
  return { name, file: absolute ? file : path.resolve(cwd, file) };
}

/** `--optimizer adam` is a built-in; `--optimizer rules/lion.ts#lion` is the rule `lion` of that file. */
export function parseOptimizerArg(value: string, cwd = process.cwd()): OptimizerArg {
  const ref = fileReference('optimizer', value, cwd);
  return ref ? { id: ref.name, file: ref.file } : { id: value };
}

/** `--schedule cosine:T_max=100` is a spec; `--schedule lr.ts#decay` the schedule function `decay` of that file. */
export function parseScheduleArg(value: string, cwd = process.cwd()): { spec: string } | { file: string; name: string } {
  return fileReference('schedule', value, cwd) ?? { spec: value };
}

function memorySize(text: string): number {
  try {
    return parseMemorySize(text);
  } catch (e) {
    throw new UsageError(`--memory-limit: ${(e as Error).message}`);
  }
}

function diagnosticsPreset(text: string): DiagnosticsPreset {
  const parsed = diagnosticsPresetSchema.safeParse(text);
  if (!parsed.success) throw new UsageError(`--diagnostics must be ${diagnosticsPresetSchema.options.join(', ')}, got '${text}'`);
  return parsed.data;
}

export function backend(text: string | undefined): BackendId | undefined {
  if (text === undefined) return undefined;
  const parsed = backendIdSchema.safeParse(text);
  if (!parsed.success) throw new UsageError(`--backend must be node, wasm or cpu, got '${text}'`);
  return parsed.data;
}

/** `list-optimizers [--json]`: its --json is a flag, where run's names a file. */
function listOptimizersCommand(args: readonly string[]): Command {
  const unknown = args.find((a) => a !== '--json');
  if (unknown !== undefined) throw new UsageError(`list-optimizers takes only --json, got '${unknown}'`);
  return { command: 'list-optimizers', json: args.includes('--json') };
}

/** `--hp key=value` flags as a record of text values (the optimizer parses them). */
export function hpPairs(pairs: readonly string[] | undefined): Record<string, string> {
  const hp: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--hp takes key=value (a torch.optim name, or a name in a rule's defaults; tuples as a,b), got '${pair}'`);
    hp[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return hp;
}

/** Steps of a run (and of each run of a sweep) without --steps. */
export const DEFAULT_STEPS = 500;
/** A run's wall-time limit without --time-limit, in seconds. */
export const DEFAULT_TIME_LIMIT_S = 60;

/** The flags of `optlab run` (and of `list` and `demo`, which take a subset). */
const RUN_OPTIONS = {
  objective: { type: 'string' },
  optimizer: { type: 'string' },
  lr: { type: 'string' },
  steps: { type: 'string' },
  hp: { type: 'string', multiple: true },
  schedule: { type: 'string' },
  seed: { type: 'string' },
  backend: { type: 'string' },
  'curvature-every': { type: 'string' },
  diagnostics: { type: 'string' },
  spectrum: { type: 'boolean' },
  'step-diagnostics': { type: 'boolean' },
  json: { type: 'string' },
  csv: { type: 'string' },
  report: { type: 'string' },
  maximize: { type: 'boolean' },
  'clip-norm': { type: 'string' },
  noise: { type: 'string' },
  'time-limit': { type: 'string' },
  compile: { type: 'boolean' },
  'no-compile': { type: 'boolean' },
  'memory-limit': { type: 'string' },
  'save-params': { type: 'string' },
  threads: { type: 'string' },
} as const;

export function parseCommand(argv: readonly string[]): Command {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') return { command: 'help' };
  if (command === 'sweep' || command === 'lr-find') return parseTuningCommand(command, rest);
  if (command === 'runs' || command === 'report') return parseSavedRunsCommand(command, rest);
  if (command === 'list-optimizers') return listOptimizersCommand(rest);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest as string[],
      allowPositionals: true,
      strict: true,
      options: RUN_OPTIONS,
    });
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]);
  }
  const { values: v, positionals } = parsed;
  if (command === 'demo') return { command: 'demo', backend: backend(v.backend), ...(v.report !== undefined ? { report: v.report } : {}) };
  if (command !== 'run' && command !== 'list') throw new UsageError(`unknown command '${command}' (run, sweep, lr-find, list, list-optimizers, runs, report, demo)`);
  if (positionals.length !== 1) throw new UsageError(`${command} takes one objective file, got ${positionals.length}`);
  const file = positionals[0];
  if (command === 'list') return { command: 'list', file };
  const hp = hpPairs(v.hp);
  const optimizer = parseOptimizerArg(v.optimizer ?? 'adam');
  const schedule = v.schedule === undefined ? undefined : parseScheduleArg(v.schedule);
  return {
    command: 'run',
    file,
    objective: v.objective,
    optimizer: optimizer.id,
    ...(optimizer.file !== undefined ? { optimizerFile: optimizer.file } : {}),
    // Range checks (lr >= 0) belong to the optimizer, which names the valid range.
    lr: number('lr', v.lr, Number.isFinite, 'a number'),
    steps: number('steps', v.steps, (n) => Number.isInteger(n) && n >= 1, 'a positive integer') ?? DEFAULT_STEPS,
    hp,
    ...(schedule && 'spec' in schedule ? { schedule: schedule.spec } : {}),
    ...(schedule && 'file' in schedule ? { scheduleFile: schedule } : {}),
    seed: number('seed', v.seed, Number.isInteger, 'an integer') ?? 0,
    backend: backend(v.backend),
    // 'auto': curvature kept to about a tenth of the run's time (src/runner/curvatureSampler.ts).
    curvatureEvery:
      v['curvature-every'] === 'auto' ? 'auto' : number('curvature-every', v['curvature-every'], (n) => Number.isInteger(n) && n >= 0, "an integer >= 0 or 'auto'") ?? 0,
    ...(v.diagnostics !== undefined ? { diagnostics: diagnosticsPreset(v.diagnostics) } : {}),
    ...(v.spectrum ? { spectrum: true } : {}),
    ...(v['step-diagnostics'] ? { stepDiagnostics: true } : {}),
    json: v.json,
    csv: v.csv,
    report: v.report,
    maximize: v.maximize ?? false,
    clipNorm: number('clip-norm', v['clip-norm'], (n) => n > 0 && Number.isFinite(n), 'a positive number'),
    noiseTemperature: number('noise', v.noise, (n) => n >= 0 && Number.isFinite(n), 'a number >= 0'),
    // --compile is the default (kept so existing scripts still run); --no-compile keeps the run on tensors.
    compile: v['no-compile'] !== true,
    ...(v['save-params'] !== undefined ? { saveParams: path.resolve(v['save-params']) } : {}),
    ...(v['memory-limit'] !== undefined ? { memoryLimitBytes: memorySize(v['memory-limit']) } : {}),
    ...(v.threads !== undefined ? { threads: number('threads', v.threads, (n) => Number.isInteger(n) && n >= 1, 'a positive integer') } : {}),
    timeLimitMs: (number('time-limit', v['time-limit'], (n) => n > 0 && Number.isFinite(n), 'a positive number of seconds') ?? DEFAULT_TIME_LIMIT_S) * 1000,
  };
}
