/** Parses `optlab` command lines (node:util parseArgs) into typed commands. */
import { parseArgs } from 'node:util';
import { backendIdSchema, type BackendId } from '../protocol/runner';

export interface RunCommand {
  readonly command: 'run';
  readonly file: string;
  readonly objective?: string;
  readonly optimizer: string;
  readonly lr?: number;
  readonly steps: number;
  readonly hp: Record<string, string>;
  readonly schedule?: string;
  readonly seed: number;
  readonly backend?: BackendId;
  readonly curvatureEvery: number | 'auto';
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
}

export type Command =
  | RunCommand
  | { readonly command: 'list'; readonly file: string }
  | { readonly command: 'demo'; readonly backend?: BackendId; readonly report?: string }
  | { readonly command: 'help' };

/** A command-line mistake: printed as one line, exit code 2. */
export class UsageError extends Error {}

export const USAGE = `usage:
  optlab run <file.ts> [--objective NAME] [--optimizer ID] [--lr X] [--steps N] [--hp key=value]...
                       [--schedule SPEC] [--seed N] [--backend node|wasm|cpu] [--curvature-every K|auto]
                       [--json PATH] [--csv PATH] [--report PATH.html] [--maximize] [--clip-norm X] [--noise T] [--no-compile]
                       [--time-limit S]
  optlab list <file.ts>
  optlab demo [--backend node|wasm|cpu] [--report PATH.html]`;

function number(name: string, text: string | undefined, check: (n: number) => boolean, what: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || Number.isNaN(n) || !check(n)) throw new UsageError(`--${name} must be ${what}, got '${text}'`);
  return n;
}

function backend(text: string | undefined): BackendId | undefined {
  if (text === undefined) return undefined;
  const parsed = backendIdSchema.safeParse(text);
  if (!parsed.success) throw new UsageError(`--backend must be node, wasm or cpu, got '${text}'`);
  return parsed.data;
}

export function parseCommand(argv: readonly string[]): Command {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') return { command: 'help' };
  let parsed;
  try {
    parsed = parseArgs({
      args: rest as string[],
      allowPositionals: true,
      strict: true,
      options: {
        objective: { type: 'string' },
        optimizer: { type: 'string' },
        lr: { type: 'string' },
        steps: { type: 'string' },
        hp: { type: 'string', multiple: true },
        schedule: { type: 'string' },
        seed: { type: 'string' },
        backend: { type: 'string' },
        'curvature-every': { type: 'string' },
        json: { type: 'string' },
        csv: { type: 'string' },
        report: { type: 'string' },
        maximize: { type: 'boolean' },
        'clip-norm': { type: 'string' },
        noise: { type: 'string' },
        'time-limit': { type: 'string' },
        compile: { type: 'boolean' },
        'no-compile': { type: 'boolean' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]);
  }
  const { values: v, positionals } = parsed;
  if (command === 'demo') return { command: 'demo', backend: backend(v.backend), ...(v.report !== undefined ? { report: v.report } : {}) };
  if (command !== 'run' && command !== 'list') throw new UsageError(`unknown command '${command}' (run, list, demo)`);
  if (positionals.length !== 1) throw new UsageError(`${command} takes one objective file, got ${positionals.length}`);
  const file = positionals[0];
  if (command === 'list') return { command: 'list', file };
  const hp: Record<string, string> = {};
  for (const pair of v.hp ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--hp takes key=value (a torch.optim name, e.g. momentum=0.9), got '${pair}'`);
    hp[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return {
    command: 'run',
    file,
    objective: v.objective,
    optimizer: v.optimizer ?? 'adam',
    // Range checks (lr >= 0) belong to the optimizer, which names the valid range.
    lr: number('lr', v.lr, Number.isFinite, 'a number'),
    steps: number('steps', v.steps, (n) => Number.isInteger(n) && n >= 1, 'a positive integer') ?? 500,
    hp,
    schedule: v.schedule,
    seed: number('seed', v.seed, Number.isInteger, 'an integer') ?? 0,
    backend: backend(v.backend),
    // 'auto': curvature kept to about a tenth of the run's time (src/runner/curvatureSampler.ts).
    curvatureEvery:
      v['curvature-every'] === 'auto' ? 'auto' : number('curvature-every', v['curvature-every'], (n) => Number.isInteger(n) && n >= 0, "an integer >= 0 or 'auto'") ?? 0,
    json: v.json,
    csv: v.csv,
    report: v.report,
    maximize: v.maximize ?? false,
    clipNorm: number('clip-norm', v['clip-norm'], (n) => n > 0 && Number.isFinite(n), 'a positive number'),
    noiseTemperature: number('noise', v.noise, (n) => n >= 0 && Number.isFinite(n), 'a number >= 0'),
    // --compile is the default (kept so existing scripts still run); --no-compile keeps the run on tensors.
    compile: v['no-compile'] !== true,
    timeLimitMs: (number('time-limit', v['time-limit'], (n) => n > 0 && Number.isFinite(n), 'a positive number of seconds') ?? 60) * 1000,
  };
}
