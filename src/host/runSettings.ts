/**
 * The extension's settings as plain data, and the run requests built from
 * them. No vscode here: the adapter reads the configuration through `get`.
 */
import type { BackendId, RuleFile, RunRequestInput } from '../protocol/runner';
import type { ControlDefaults } from '../protocol/webview';

export interface RunSettings {
  /** A built-in optimizer's id (checked against the catalogue: `defaultOptimizerProblem`). */
  readonly defaultOptimizer: string;
  /** null: the optimizer's torch default. */
  readonly learningRate: number | null;
  readonly steps: number;
  /** '' for a constant learning rate. */
  readonly schedule: string;
  readonly backend: BackendId | 'auto';
  /** Sample curvature every K steps, 'auto' (a time budget of about 10%), or 0 for never. */
  readonly curvatureEvery: number | 'auto';
  readonly liveDebounceMs: number;
  readonly timeLimitSeconds: number;
  /** Compile objectives to plain JS and WebAssembly when the run allows it (the runner's arrayPath): on unless false. */
  readonly compileObjectives: boolean;
}

export const DEFAULT_SETTINGS: RunSettings = {
  defaultOptimizer: 'adam',
  learningRate: null,
  steps: 500,
  schedule: '',
  backend: 'auto',
  curvatureEvery: 'auto',
  liveDebounceMs: 300,
  timeLimitSeconds: 60,
  compileObjectives: true,
};

type Getter = (key: keyof RunSettings) => unknown;

/**
 * Why `id` cannot be the default optimizer, or undefined when it can. `builtIns`: the catalogue's ids
 * (package.json no longer lists them, so the registry stays their one source); empty: not loaded yet, nothing to check.
 */
export function defaultOptimizerProblem(id: string, builtIns: readonly string[]): string | undefined {
  if (builtIns.length === 0 || builtIns.includes(id)) return undefined;
  return `optimizerLab.defaultOptimizer: '${id}' is not a built-in optimizer (${builtIns.join(', ')}; optlab list-optimizers describes each); using '${DEFAULT_SETTINGS.defaultOptimizer}'`;
}

const positiveInt = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : fallback);

/**
 * Reads settings, falling back to the defaults for missing or invalid values (settings.json is hand-edited).
 * `builtIns`: the catalogue's ids, to check the default optimizer against (empty: not loaded yet).
 */
export function readRunSettings(get: Getter, builtIns: readonly string[] = []): RunSettings {
  const d = DEFAULT_SETTINGS;
  const optimizer = get('defaultOptimizer');
  const lr = get('learningRate');
  const backend = get('backend');
  const every = get('curvatureEvery');
  const debounce = get('liveDebounceMs');
  const schedule = get('schedule');
  return {
    defaultOptimizer: typeof optimizer === 'string' && optimizer.trim() !== '' && !defaultOptimizerProblem(optimizer.trim(), builtIns) ? optimizer.trim() : d.defaultOptimizer,
    learningRate: typeof lr === 'number' && lr > 0 && Number.isFinite(lr) ? lr : null,
    steps: positiveInt(get('steps'), d.steps),
    schedule: typeof schedule === 'string' ? schedule.trim() : d.schedule,
    backend: backend === 'node' || backend === 'wasm' || backend === 'cpu' ? backend : 'auto',
    curvatureEvery: every === 'auto' || (typeof every === 'number' && Number.isInteger(every) && every >= 0) ? every : d.curvatureEvery,
    liveDebounceMs: typeof debounce === 'number' && debounce >= 0 ? debounce : d.liveDebounceMs,
    timeLimitSeconds: typeof get('timeLimitSeconds') === 'number' && (get('timeLimitSeconds') as number) > 0 ? (get('timeLimitSeconds') as number) : d.timeLimitSeconds,
    compileObjectives: get('compileObjectives') !== false,
  };
}

/** What to run: the file (and unsaved text), the objective, and what the user chose. */
export interface RunTarget {
  readonly file: string;
  readonly text?: string;
  readonly objective?: string;
}

export interface RunChoice {
  /** A built-in optimizer's id, or with `rule` the rule's export name. */
  readonly optimizer?: string;
  /** The optimizer is a rule exported by this workspace file (`text`: its unsaved editor text). */
  readonly rule?: RuleFile;
  readonly lr?: number;
  readonly hp?: Record<string, number | boolean | string | number[]>;
  readonly schedule?: string;
  readonly steps?: number;
  readonly curvatureEvery?: number | 'auto';
  /** Ask the runner for the loss landscape (also slices for more than 2 parameters); absent: its default. */
  readonly landscape?: boolean;
  /** The runner's random seed (data order, random init); absent: the runner's default, 0. */
  readonly seed?: number;
  /** The "repeat with N seeds" group this run belongs to. */
  readonly group?: string;
}

/** Where the dashboard's controls start: the settings' optimizer, lr (if set), schedule and steps. */
export function controlDefaults(settings: RunSettings): ControlDefaults {
  return {
    optimizer: settings.defaultOptimizer,
    ...(settings.learningRate !== null ? { lr: settings.learningRate } : {}),
    schedule: settings.schedule,
    steps: settings.steps,
  };
}

export type HostRunRequest = Omit<RunRequestInput, 'type'> & { runId: string };

/** Settings + target + the user's choice -> the runner's request (choice wins over settings). */
export function runRequestFor(settings: RunSettings, target: RunTarget, choice: RunChoice, runId: string): HostRunRequest {
  const optimizerId = choice.optimizer ?? settings.defaultOptimizer;
  // The setting's lr belongs to the default optimizer; another optimizer (or a rule, whatever its name) gets its own default.
  const lr = choice.lr ?? (optimizerId === settings.defaultOptimizer && !choice.rule ? settings.learningRate ?? undefined : undefined);
  const schedule = choice.schedule ?? settings.schedule;
  return {
    runId,
    file: target.file,
    ...(target.text !== undefined ? { text: target.text } : {}),
    ...(target.objective !== undefined ? { objective: target.objective } : {}),
    optimizer: {
      id: optimizerId,
      ...(choice.rule ? { rule: { file: choice.rule.file, ...(choice.rule.text !== undefined ? { text: choice.rule.text } : {}) } } : {}),
      ...(lr !== undefined ? { lr } : {}), hp: { ...(choice.hp ?? {}) },
    },
    ...(schedule ? { schedule } : {}),
    steps: choice.steps ?? settings.steps,
    curvatureEvery: choice.curvatureEvery ?? settings.curvatureEvery,
    timeLimitMs: settings.timeLimitSeconds * 1000,
    ...(settings.backend !== 'auto' ? { backend: settings.backend } : {}),
    compile: settings.compileObjectives,
    ...(choice.landscape !== undefined ? { landscape: choice.landscape } : {}),
    ...(choice.seed !== undefined ? { seed: choice.seed } : {}),
  };
}
