/**
 * The extension's settings as plain data, and the run requests built from
 * them. No vscode here: the adapter reads the configuration through `get`.
 */
import { diagnosticsPresetSchema, type DiagnosticsPreset } from '../protocol/diagnostics';
import type { BackendId, RuleFile, RunRequestInput, ScheduleFile } from '../protocol/runner';
import type { ControlDefaults } from '../protocol/webview';
import { parseMemorySize } from '../runner/memoryLimit';

/** A workspace optimizer rule as the default optimizer: the setting's `FILE#NAME`. */
export interface DefaultRule {
  /** Absolute path of the rule's file. */
  readonly file: string;
  /** The rule's export name. */
  readonly name: string;
}

export interface RunSettings {
  /** A built-in optimizer's id (checked against the catalogue: `defaultOptimizerProblem`), or with `defaultRule` the rule's name. */
  readonly defaultOptimizer: string;
  /** Present when the setting names a workspace rule (`FILE#NAME`). */
  readonly defaultRule?: DefaultRule;
  /** null: the optimizer's torch default. */
  readonly learningRate: number | null;
  readonly steps: number;
  /** '' for a constant learning rate; a spec, or `FILE#NAME` (FILE absolute) for a workspace schedule function. */
  readonly schedule: string;
  readonly backend: BackendId | 'auto';
  /** Sample curvature every K steps, 'auto' (a time budget of about 10%), or 0 for never. */
  readonly curvatureEvery: number | 'auto';
  /** `optimizerLab.diagnostics` (the CLI's --diagnostics); absent for 'off' or an unknown value. */
  readonly diagnostics?: DiagnosticsPreset;
  readonly liveDebounceMs: number;
  readonly timeLimitSeconds: number;
  /** Compile objectives to plain JS and WebAssembly when the run allows it (the runner's arrayPath): on unless false. */
  readonly compileObjectives: boolean;
  /** The setting `optimizerLab.memoryLimit` ('2GB', '512MB') in bytes; absent (empty or invalid setting): the runner's default, half the machine's memory. */
  readonly memoryLimitBytes?: number;
  /** Runs of at most 2 parameters stream the optimizer's first moment and effective step for the replay (RunRequest.pathState). */
  readonly replayOptimizerState?: boolean;
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

/** package.json's key for each setting that is not named as its RunSettings field. */
type SettingKey = Exclude<keyof RunSettings, 'memoryLimitBytes' | 'defaultRule'> | 'memoryLimit' | 'defaultOptimizerRule';
type Getter = (key: SettingKey) => unknown;

/** '2GB' / '512MB' as bytes; undefined for '' or anything unparsable (the runner's default then). */
function memoryLimitOf(value: unknown): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  try {
    return parseMemorySize(value);
  } catch {
    return undefined;
  }
}

/**
 * Why `id` cannot be the default optimizer, or undefined when it can. `builtIns`: the catalogue's ids (package.json's
 * enum is written from the same registry by npm run docs:optimizers); empty: not loaded yet, nothing to check.
 * A rule's `FILE#NAME` belongs in optimizerLab.defaultOptimizerRule, but is still taken here.
 */
export function defaultOptimizerProblem(id: string, builtIns: readonly string[]): string | undefined {
  if (id.includes('#')) return ruleOfSetting(id, (f) => f) ? undefined : `optimizerLab.defaultOptimizer: '${id}' names no rule (FILE#NAME, e.g. rules/lion.ts#lion); using '${DEFAULT_SETTINGS.defaultOptimizer}'`;
  if (builtIns.length === 0 || builtIns.includes(id)) return undefined;
  return `optimizerLab.defaultOptimizer: '${id}' is not a built-in optimizer (${builtIns.join(', ')}; optlab list-optimizers describes each) nor a workspace rule (FILE#NAME); using '${DEFAULT_SETTINGS.defaultOptimizer}'`;
}

/** `FILE#NAME` as a rule (FILE through `resolve`: the workspace folder makes a relative path absolute); undefined without both parts. */
export function ruleOfSetting(value: string, resolve: (file: string) => string): DefaultRule | undefined {
  const hash = value.lastIndexOf('#');
  const file = value.slice(0, Math.max(hash, 0)).trim();
  const name = value.slice(hash + 1).trim();
  return hash > 0 && file !== '' && /^[A-Za-z_$][\w$]*$/.test(name) ? { file: resolve(file), name } : undefined;
}

/** Why the rule setting (`FILE#NAME`, '' for none) cannot be used, or undefined when it can (or is empty). */
export function defaultRuleProblem(value: string): string | undefined {
  if (value === '' || ruleOfSetting(value, (f) => f)) return undefined;
  return `optimizerLab.defaultOptimizerRule: '${value}' is not FILE#NAME (e.g. rules/lion.ts#lion); using optimizerLab.defaultOptimizer`;
}

/** The setting as the default optimizer: a built-in's id, a rule, or (when neither) the default's. */
function defaultOptimizerOf(value: unknown, builtIns: readonly string[], resolve: (file: string) => string): Pick<RunSettings, 'defaultOptimizer' | 'defaultRule'> {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '' || defaultOptimizerProblem(text, builtIns)) return { defaultOptimizer: DEFAULT_SETTINGS.defaultOptimizer };
  const rule = ruleOfSetting(text, resolve);
  return rule ? { defaultOptimizer: rule.name, defaultRule: rule } : { defaultOptimizer: text };
}

/**
 * A schedule written `FILE#NAME` (the dashboard's field, the setting) as the user's schedule function: FILE through
 * `resolve` (relative to the workspace folder unless absolute), `textOf` its unsaved editor text. NAME '' is the file's
 * only schedule function. Undefined for a spec (no '#', or no FILE before it), which stays a spec (the runner names a bad one).
 */
export function scheduleFileOf(value: string, resolve: (file: string) => string = (f) => f, textOf: (file: string) => string | undefined = () => undefined): ScheduleFile | undefined {
  const hash = value.lastIndexOf('#');
  const given = value.slice(0, Math.max(hash, 0)).trim();
  if (given === '') return undefined;
  const file = resolve(given);
  const text = textOf(file);
  return { file, name: value.slice(hash + 1).trim(), ...(text !== undefined ? { text } : {}) };
}

/** The schedule setting with a `FILE#NAME`'s file made absolute; a spec unchanged. */
function scheduleSetting(value: string, resolve: (file: string) => string): string {
  const ref = scheduleFileOf(value, resolve);
  return ref ? `${ref.file}#${ref.name}` : value;
}

const positiveInt = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : fallback);

/**
 * Reads settings, falling back to the defaults for missing or invalid values (settings.json is hand-edited).
 * `builtIns`: the catalogue's ids, to check the default optimizer against (empty: not loaded yet);
 * `resolve`: a rule file of the setting (`FILE#NAME`) as an absolute path.
 */
export function readRunSettings(get: Getter, builtIns: readonly string[] = [], resolve: (file: string) => string = (f) => f): RunSettings {
  const d = DEFAULT_SETTINGS;
  const rule = get('defaultOptimizerRule');
  // A usable rule setting wins over the built-in's.
  const optimizer = typeof rule === 'string' && rule.trim() !== '' && !defaultRuleProblem(rule.trim()) ? rule : get('defaultOptimizer');
  const lr = get('learningRate');
  const backend = get('backend');
  const every = get('curvatureEvery');
  const debounce = get('liveDebounceMs');
  const schedule = get('schedule');
  return {
    ...defaultOptimizerOf(optimizer, builtIns, resolve),
    learningRate: typeof lr === 'number' && lr > 0 && Number.isFinite(lr) ? lr : null,
    steps: positiveInt(get('steps'), d.steps),
    schedule: typeof schedule === 'string' ? scheduleSetting(schedule.trim(), resolve) : d.schedule,
    backend: backend === 'node' || backend === 'wasm' || backend === 'cpu' ? backend : 'auto',
    curvatureEvery: every === 'auto' || (typeof every === 'number' && Number.isInteger(every) && every >= 0) ? every : d.curvatureEvery,
    liveDebounceMs: typeof debounce === 'number' && debounce >= 0 ? debounce : d.liveDebounceMs,
    timeLimitSeconds: typeof get('timeLimitSeconds') === 'number' && (get('timeLimitSeconds') as number) > 0 ? (get('timeLimitSeconds') as number) : d.timeLimitSeconds,
    compileObjectives: get('compileObjectives') !== false,
    ...(diagnosticsPresetSchema.safeParse(get('diagnostics')).success ? { diagnostics: get('diagnostics') as DiagnosticsPreset } : {}),
    ...(memoryLimitOf(get('memoryLimit')) !== undefined ? { memoryLimitBytes: memoryLimitOf(get('memoryLimit')) } : {}),
    ...(get('replayOptimizerState') === true ? { replayOptimizerState: true } : {}),
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
  /** The schedule is a workspace file's function (the field's `FILE#NAME`, resolved, with unsaved text); wins over `schedule`. */
  readonly scheduleFile?: ScheduleFile;
  readonly steps?: number;
  readonly curvatureEvery?: number | 'auto';
  /** Spectral density and trace on every curvature sample (the dashboard's toggle; the CLI's --spectrum). */
  readonly spectrum?: boolean;
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
    // A rule's value in the dashboard's menu is rule:<file>#<name> (webview/optimizerMenu.ts).
    optimizer: settings.defaultRule ? `rule:${settings.defaultRule.file}#${settings.defaultRule.name}` : settings.defaultOptimizer,
    ...(settings.learningRate !== null ? { lr: settings.learningRate } : {}),
    schedule: settings.schedule,
    steps: settings.steps,
  };
}

export type HostRunRequest = Omit<RunRequestInput, 'type'> & { runId: string };

/** Settings + target + the user's choice -> the runner's request (choice wins over settings). */
export function runRequestFor(settings: RunSettings, target: RunTarget, choice: RunChoice, runId: string): HostRunRequest {
  // Nothing chosen: the setting's optimizer, a built-in or a workspace rule (FILE#NAME).
  const usesDefault = choice.optimizer === undefined && !choice.rule;
  const optimizerId = choice.optimizer ?? settings.defaultOptimizer;
  const rule: RuleFile | undefined = choice.rule ?? (usesDefault && settings.defaultRule ? { file: settings.defaultRule.file } : undefined);
  // The setting's lr belongs to the default optimizer; another optimizer (or a rule, whatever its name) gets its own default.
  const isDefault = usesDefault || (optimizerId === settings.defaultOptimizer && !choice.rule && !settings.defaultRule);
  const lr = choice.lr ?? (isDefault ? settings.learningRate ?? undefined : undefined);
  const schedule = choice.schedule ?? settings.schedule;
  // A `FILE#NAME` the caller did not resolve (the setting's, already absolute) is a schedule function too.
  const scheduleFile = choice.scheduleFile ?? scheduleFileOf(schedule);
  return {
    runId,
    file: target.file,
    ...(target.text !== undefined ? { text: target.text } : {}),
    ...(target.objective !== undefined ? { objective: target.objective } : {}),
    optimizer: {
      id: optimizerId,
      ...(rule ? { rule: { file: rule.file, ...(rule.text !== undefined ? { text: rule.text } : {}) } } : {}),
      ...(lr !== undefined ? { lr } : {}), hp: { ...(choice.hp ?? {}) },
    },
    ...(scheduleFile ? { scheduleFile } : schedule ? { schedule } : {}),
    steps: choice.steps ?? settings.steps,
    curvatureEvery: choice.curvatureEvery ?? settings.curvatureEvery,
    ...(settings.diagnostics ? { diagnostics: settings.diagnostics } : {}),
    ...(choice.spectrum ? { spectrum: true } : {}),
    timeLimitMs: settings.timeLimitSeconds * 1000,
    ...(settings.backend !== 'auto' ? { backend: settings.backend } : {}),
    compile: settings.compileObjectives,
    ...(settings.memoryLimitBytes !== undefined ? { memoryLimitBytes: settings.memoryLimitBytes } : {}),
    ...(settings.replayOptimizerState ? { pathState: true } : {}),
    ...(choice.landscape !== undefined ? { landscape: choice.landscape } : {}),
    ...(choice.seed !== undefined ? { seed: choice.seed } : {}),
  };
}
