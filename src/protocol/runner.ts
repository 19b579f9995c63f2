/**
 * Messages between the extension host / CLI and the runner child process.
 * One zod schema per message: the TypeScript types are inferred from it and
 * every receiver validates with it, so a wrong message fails loudly at the
 * boundary instead of being half-applied.
 */
import { z } from 'zod';
import { curvatureDiagnosticsShape, diagnosticsPresetSchema } from './diagnostics';
import { scheduleFormSchema } from './scheduleForm';
import { pathStateSchema } from './pathState';
import { stepDiagnosticsShape, tensorListSchema } from './stepDiagnostics';
import { lrFinderEventSchema, lrFinderRangeSchema } from './lrFinder';
import { computeRecordSchema } from './computeRecord';
import { landscapeSchema } from './landscape';
import { landscapeWindowAnswerSchema, landscapeWindowRequestSchema } from './landscapeWindow';
import { interpolationAnswerSchema, interpolationRequestSchema } from './interpolation';
import { pathSliceAnswerSchema, pathSliceRequestSchema } from './pathSlice';

export const hpValueSchema = z.union([z.number(), z.boolean(), z.string(), z.array(z.number())]);
export const backendIdSchema = z.enum(['node', 'wasm', 'cpu']);
export type BackendId = z.infer<typeof backendIdSchema>;

/** A workspace file exporting optimizer rules (src/core/rules/optimizerRule.ts, the public contract). */
export const ruleFileSchema = z.object({
  /** Absolute path of the file. */
  file: z.string(),
  /** Unsaved editor text of the file, when given (live mode). */
  text: z.string().optional(),
});
export type RuleFile = z.infer<typeof ruleFileSchema>;

/** A workspace file exporting schedule functions (src/core/schedules/userSchedule.ts): `(step) => factor` or `(step, lr) => lr`. */
export const scheduleFileSchema = ruleFileSchema.extend({
  /** The function's export name; '' when the file exports exactly one schedule function. */
  name: z.string().default(''),
});
export type ScheduleFile = z.infer<typeof scheduleFileSchema>;

export const optimizerChoiceSchema = z.object({
  /** A built-in optimizer's id, or with `rule` the rule's export name ('' when the file exports exactly one rule). */
  id: z.string(),
  /** The optimizer is a rule exported by this workspace file (the CLI's `--optimizer FILE#NAME`). */
  rule: ruleFileSchema.optional(),
  /** Learning rate; the optimizer's torch default when absent. */
  lr: z.number().optional(),
  hp: z.record(z.string(), hpValueSchema).default({}),
  maximize: z.boolean().optional(),
  /** Clip the gradient to this global L2 norm (torch.nn.utils.clip_grad_norm_). */
  clipNorm: z.number().positive().optional(),
  /** Langevin-style Gaussian gradient noise at this temperature. */
  noiseTemperature: z.number().nonnegative().optional(),
});
export type OptimizerChoice = z.infer<typeof optimizerChoiceSchema>;

export const runRequestSchema = z.object({
  type: z.literal('run'),
  runId: z.string(),
  /** Absolute path of the objective file; `text` is the unsaved editor text when given. */
  file: z.string(),
  text: z.string().optional(),
  objective: z.string().optional(),
  optimizer: optimizerChoiceSchema,
  /** Schedule spec string, e.g. 'cosine:T_max=500' (see src/core/schedules). */
  schedule: z.string().optional(),
  /** The schedule is a function exported by this workspace file (the CLI's `--schedule FILE#NAME`); not with `schedule`. */
  scheduleFile: scheduleFileSchema.optional(),
  steps: z.number().int().positive(),
  seed: z.number().int().default(0),
  /**
   * Sample curvature every K steps (0 = never) and at the final point; 'auto':
   * at step 0, at the final point, and between whenever the curvature time so far
   * stays within a tenth of the training time (src/runner/curvatureSampler.ts).
   */
  curvatureEvery: z.union([z.number().int().nonnegative(), z.literal('auto')]).default(0),
  /** What curvature samples carry and the time share they may take (src/runner/diagnosticsPlan.ts); with curvatureEvery 0, samples 'auto'. */
  diagnostics: diagnosticsPresetSchema.optional(),
  /** Add the spectral density and trace to every curvature sample (the CLI's --spectrum). */
  spectrum: z.boolean().optional(),
  /** Per-tensor norms and the step-size gauge on step records (src/protocol/stepDiagnostics.ts); absent: on with the standard and full presets. */
  stepDiagnostics: z.boolean().optional(),
  timeLimitMs: z.number().positive().default(60_000),
  /** Switch the runner to this backend before the run (the process's choice when absent). */
  backend: backendIdSchema.optional(),
  /**
   * Send a `landscape` after `started`: true always (random filter-normalised
   * slices for more than 2 parameters), false never; when absent, only for
   * objectives with at most TRAJECTORY_MAX_PARAMS parameters (cheap).
   */
  landscape: z.boolean().optional(),
  /**
   * Compile the objective to plain JS and WebAssembly and run the loop on plain arrays when everything
   * in the run has a compiled form (src/runner/arrayPath.ts). On unless false (or OPTLAB_COMPILE=0 in
   * the runner's environment): the objective then runs only while it is compiled and checked, so JS
   * state inside it (a call counter) does not change every step; logging and value reads are detected.
   */
  compile: z.boolean().optional(),
  /** Write the final parameters to this absolute path as a float32 .npy (numpy.load reads it); `done.final.paramsFile` says where. */
  saveParams: z.string().optional(),
  /** The run stops with kind 'memory' when the runner's memory (rss, JS heap, ArrayBuffers, tfjs backend) passes this many bytes. */
  memoryLimitBytes: z.number().positive().optional(),
  /** Put the optimizer's first moment and effective step on path records (at most TRAJECTORY_MAX_PARAMS parameters; the run goes on tensors). */
  pathState: z.boolean().optional(),
  /** Run the lr range test (./lrFinder.ts): lr from `from` to `to` over the steps; schedule and optimizer.lr are ignored. */
  lrFinder: lrFinderRangeSchema.optional(),
  /** Threads for the compiled run's large matrix products (src/runner/runThreads.ts); absent: the cores, at most 4. */
  threads: z.number().int().positive().optional(),
});
export type RunRequest = z.infer<typeof runRequestSchema>;
export type RunRequestInput = z.input<typeof runRequestSchema>;

export const hostToRunnerSchema = z.discriminatedUnion('type', [
  runRequestSchema,
  z.object({ type: z.literal('cancel'), runId: z.string() }),
  /** Change lr from the next step without resetting optimizer state. */
  z.object({ type: z.literal('setLr'), runId: z.string(), lr: z.number().positive() }),
  z.object({ type: z.literal('list'), requestId: z.string(), file: z.string(), text: z.string().optional() }),
  /** Every built-in optimizer (answered with `catalog`). */
  z.object({ type: z.literal('catalog'), requestId: z.string() }),
  z.object({ type: z.literal('ping') }),
  /** A grid over a window the dashboard zoomed to; a PCA or Hessian slice through recorded paths. */
  landscapeWindowRequestSchema,
  pathSliceRequestSchema,
  interpolationRequestSchema,
]);
export type HostToRunner = z.infer<typeof hostToRunnerSchema>;

/**
 * `initialParams` and `final.params` list every parameter up to this many; a larger run sends [] and a
 * summary instead (a million numbers through IPC, zod and JSON cost seconds and hundreds of MB), and
 * its parameters go to a .npy file when asked (`saveParams`, the CLI's --save-params).
 */
export const PARAMS_INLINE_MAX = 100_000;

/** A parameter vector too large to send (more than PARAMS_INLINE_MAX entries), summarised. */
export const paramSummarySchema = z.object({
  count: z.number().int().nonnegative(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  mean: z.number().nullable(),
  /** Root mean square: ‖p‖ / √count. */
  rms: z.number().nullable(),
  /** Entries that are NaN or ±Infinity (left out of the other figures). */
  nonFinite: z.number().int().nonnegative(),
});
export type ParamSummary = z.infer<typeof paramSummarySchema>;

/** Step records carry their parameters (the dashboard's trajectory) up to this many parameters. */
export const TRAJECTORY_MAX_PARAMS = 2;

export const stepRecordSchema = z.object({
  /** k-th record is measured at the parameters before the k-th update. */
  step: z.number().int().nonnegative(),
  loss: z.number(),
  gradNorm: z.number(),
  updateNorm: z.number(),
  lr: z.number(),
  /** Cumulative loss/gradient evaluations up to and including this step. */
  evals: z.number().int().nonnegative(),
  /** Milliseconds since the run started. */
  wallMs: z.number().nonnegative(),
  /** The flat parameters this record was measured at (objectives with at most TRAJECTORY_MAX_PARAMS parameters). */
  params: z.array(z.number()).optional(),
  /** The gradient (and, when asked, the optimizer's vectors) at these parameters: src/protocol/pathState.ts. */
  state: pathStateSchema.optional(),
}).extend(stepDiagnosticsShape);
export type StepRecord = z.infer<typeof stepRecordSchema>;

/**
 * Curvature at the parameters before update `step`. The spectrum fields
 * (lambdaMax/Min, residuals, eigenvalues, negativeCount, classification) are
 * those of the user's objective f, also when maximising (a maximum of f is
 * 'maximum'). condition, stabilityEdge, suggestedLr and edgeRatio are those of
 * the function the optimizer minimises (−f when maximising): they describe how
 * hard the run's steps are.
 */
export const curvatureSampleSchema = z.object({
  step: z.number().int().nonnegative(),
  lambdaMax: z.number(),
  lambdaMin: z.number(),
  /** κ of the minimised function's Hessian when it is positive definite (λmax/λmin of f; λmin/λmax when maximising), else null. */
  condition: z.number().nullable(),
  residualMax: z.number().nonnegative(),
  residualMin: z.number().nonnegative(),
  method: z.enum(['exact', 'lanczos', 'power']),
  negativeCount: z.number().int().nonnegative().optional(),
  classification: z.enum(['minimum', 'maximum', 'saddle', 'degenerate', 'not-critical']).optional(),
  /** 2/λmax of the minimised function: the largest stable gradient-descent step. */
  stabilityEdge: z.number().nullable().optional(),
  suggestedLr: z.number().nullable().optional(),
  /** HVP self-check against finite differences failed (the estimate is not trusted). */
  hvpMismatch: z.string().optional(),
  /** lr·λmax/2: above 1 the run is past the edge of stability. */
  edgeRatio: z.number().nullable().optional(),
  /** Every eigenvalue, ascending (method 'exact' only). */
  eigenvalues: z.array(z.number()).optional(),
  /** HVPs spent (Lanczos/power iterations, or n for exact). */
  iterations: z.number().int().nonnegative().optional(),
  /** The iteration met its tolerance or exhausted the Krylov space; false: the ends are estimates (see the residuals). */
  converged: z.boolean().optional(),
  stoppedBy: z.enum(['tolerance', 'exhausted', 'iterations', 'time', 'memory']).optional(),
  /** Why the verdict is 'degenerate' though the Hessian at the iterate looked definite (it flattens towards the critical point). */
  verdictNote: z.string().optional(),
  /** Lanczos stopped early: κ ≥ this (condition is null then; never shown as κ). */
  conditionLowerBound: z.number().positive().optional(),
}).extend(curvatureDiagnosticsShape);
export type CurvatureSample = z.infer<typeof curvatureSampleSchema>;

export const runErrorSchema = z.object({
  kind: z.enum([
    'compile', 'objective', 'init', 'loss-shape', 'no-gradient', 'diverged', 'threw',
    'time-limit', 'hyperparameter', 'unknown-optimizer', 'schedule', 'second-derivative', 'runner-crash', 'internal',
    /** The optimizer rule's file failed to compile or load, is not a valid rule, threw, or returned something unusable (file:line is the rule's). */
    'optimizer-rule',
    /** The runner passed the run's memory limit (see `memory`); the runner was restarted, earlier steps are kept. */
    'memory',
  ]),
  message: z.string(),
  file: z.string().optional(),
  /** 1-based line and column in the user's file. */
  line: z.number().int().positive().optional(),
  column: z.number().int().positive().optional(),
  stack: z.string().optional(),
  /** kind 'memory': the limit and what was allocated when it was passed (bytes). */
  memory: z.object({
    limitBytes: z.number().nonnegative(),
    rssBytes: z.number().nonnegative().optional(),
    heapBytes: z.number().nonnegative().optional(),
    arrayBuffersBytes: z.number().nonnegative().optional(),
    tfjsBytes: z.number().nonnegative().optional(),
  }).optional(),
});
export type RunError = z.infer<typeof runErrorSchema>;

export const runMetaSchema = z.object({
  objective: z.string(),
  /** `file`: the rule's workspace file when the optimizer is a user's rule. */
  optimizer: z.object({ id: z.string(), lr: z.number(), hp: z.record(z.string(), hpValueSchema), file: z.string().optional() }),
  /** The schedule's canonical spec, or FILE#NAME (absolute FILE) for a user's schedule function. */
  schedule: z.string().optional(),
  /** The same schedule parsed once, as torch builds it (the snippet renders this, never the spec). */
  scheduleForm: scheduleFormSchema.optional(),
  paramCount: z.number().int().nonnegative(),
  paramNames: z.array(z.string()),
  steps: z.number().int().positive(),
  seed: z.number().int(),
  /** The run maximised f: its losses (and landscapes) are −f. */
  maximize: z.boolean().optional(),
  backend: backendIdSchema,
  tfjsVersion: z.string(),
  /** sha256 of the objective's bundled source, so a run can be replayed exactly. */
  sourceHash: z.string(),
  minimum: z.number().optional(),
  domain: z.array(z.tuple([z.number(), z.number()])).optional(),
  /** Learning rate at every step, sampled before the run starts (plateau: the initial lr; a user's schedule function is called). */
  schedulePreview: z.array(z.number()),
  /** Every initial parameter up to PARAMS_INLINE_MAX of them, else [] (see initialParamsSummary). */
  initialParams: z.array(z.number()),
  initialParamsSummary: paramSummarySchema.optional(),
  /** How the steps run (computeRecord.ts). */
  compute: computeRecordSchema.optional(),
  /**
   * Where the step losses and the final parameters were taken when not where the gradients were: the
   * optimizer's evaluation point ('evaluation point x (gradients taken at y)', schedule-free's average). Absent: at the parameters.
   */
  lossAt: z.string().optional(),
  /** The named parameter tensors (objectives with several) that step records' per-tensor arrays follow. */
  tensors: tensorListSchema.optional(),
});
export type RunMeta = z.infer<typeof runMetaSchema>;

export { landscapeSchema, type Landscape } from './landscape';

/** A landscape for a run, or why there is none (the run goes on either way). */
export const landscapeMessageSchema = z.object({
  type: z.literal('landscape'),
  runId: z.string(),
  grid: landscapeSchema.optional(),
  warning: z.string().optional(),
});
export type LandscapeMessage = z.infer<typeof landscapeMessageSchema>;

export const objectiveInfoSchema = z.object({
  name: z.string(),
  paramCount: z.number().int().nonnegative().nullable(),
  stochastic: z.boolean(),
  hasMinimum: z.boolean(),
  /** 1-based line of the declaration in the user's file, when known. */
  line: z.number().int().positive().optional(),
  problem: z.string().optional(),
});
export type ObjectiveInfo = z.infer<typeof objectiveInfoSchema>;

/** An optimizer rule a file exports (the `list` answer's `optimizers`). */
export const ruleInfoSchema = z.object({
  name: z.string(),
  /** 1-based line of the declaration, when known. */
  line: z.number().int().positive().optional(),
  summary: z.string().optional(),
  /** Every hyperparameter's default, lr included. */
  defaults: z.record(z.string(), hpValueSchema),
  scope: z.enum(['tensor', 'model']).default('tensor'),
  /** Why this export cannot be used as a rule (bad defaults, ...). */
  problem: z.string().optional(),
});
export type RuleInfo = z.infer<typeof ruleInfoSchema>;

/** A schedule function a file exports (the `list` answer's `schedules`). */
export const scheduleInfoSchema = z.object({
  name: z.string(),
  /** 1-based line of the declaration, when known. */
  line: z.number().int().positive().optional(),
  /** 'factor': (step) => factor on the base lr (torch LambdaLR); 'lr': (step, lr) => the next lr from the previous one. */
  form: z.enum(['factor', 'lr']),
});
export type ScheduleInfo = z.infer<typeof scheduleInfoSchema>;

/**
 * One built-in optimizer as the catalogue describes it (src/core/optimizers/catalog.ts derives it from the registry):
 * the `catalog` answer, `optlab list-optimizers --json`, dist/optimizers.json (the host's copy, written by the build)
 * and the dashboard's menu.
 */
export const optimizerInfoSchema = z.object({
  id: z.string(),
  /** Lists group by it: 'sgd', 'adaptive', 'sign', 'quasi-newton', ... */
  family: z.string(),
  summary: z.string(),
  /** What it follows: the torch class, or the paper (authors, year, title, arXiv id). */
  reference: z.string(),
  /** The torch.optim class it matches step for step ('torch.optim.Adam'); absent when torch has none. */
  torchClass: z.string().optional(),
  defaultLr: z.number(),
  /** Every hyperparameter but lr, with its default (torch's names). */
  hyperparams: z.array(z.object({ name: z.string(), kind: z.enum(['number', 'boolean', 'enum', 'pair', 'tuple']), default: hpValueSchema, doc: z.string() })),
  /** Whether it runs on the fast path (plain arrays, compiled) for a vector and for a matrix parameter; `note`: why not, or what it uses. */
  fastPath: z.object({ vector: z.boolean(), matrix: z.boolean(), note: z.string().optional() }),
});
export type OptimizerInfo = z.infer<typeof optimizerInfoSchema>;
export const optimizerCatalogSchema = z.array(optimizerInfoSchema);

export const runnerToHostSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), backend: backendIdSchema, tfjsVersion: z.string(), pid: z.number().int() }),
  z.object({
    type: z.literal('started'), runId: z.string(), meta: runMetaSchema,
    /** The request's objective file (so "copy as CLI command" can name it). */
    file: z.string().optional(),
  }),
  /**
   * Where the run's objective is, as soon as its file is loaded (before it is first called): an error the
   * parent reports for the run (the child killed past its memory limit) names the line.
   */
  z.object({ type: z.literal('located'), runId: z.string(), file: z.string(), line: z.number().int().positive().optional() }),
  landscapeMessageSchema,
  z.object({ type: z.literal('steps'), runId: z.string(), steps: z.array(stepRecordSchema) }),
  z.object({ type: z.literal('curvature'), runId: z.string(), sample: curvatureSampleSchema }),
  z.object({
    type: z.literal('done'),
    runId: z.string(),
    status: z.enum(['completed', 'cancelled', 'diverged', 'time-limit', 'converged']),
    /** params: every final parameter up to PARAMS_INLINE_MAX, else [] and paramsSummary; paramsFile: the .npy asked for with saveParams. */
    final: z.object({
      loss: z.number(), gradNorm: z.number(), params: z.array(z.number()),
      paramsSummary: paramSummarySchema.optional(), paramsFile: z.string().optional(),
    }),
    stepsPerSecond: z.number(),
    wallMs: z.number(),
    evals: z.number().int(),
    message: z.string().optional(),
    /** Why curvature sampling stopped while the run went on (kind 'second-derivative': an unsupported op or a failed HVP self-check). */
    curvatureError: runErrorSchema.optional(),
  }),
  z.object({ type: z.literal('error'), runId: z.string().optional(), error: runErrorSchema }),
  z.object({
    type: z.literal('objectives'), requestId: z.string(), objectives: z.array(objectiveInfoSchema),
    /** The optimizer rules the same file exports (a file may hold both). */
    optimizers: z.array(ruleInfoSchema).default([]),
    /** The schedule functions the same file exports. */
    schedules: z.array(scheduleInfoSchema).default([]),
    error: runErrorSchema.optional(),
  }),
  z.object({ type: z.literal('lrChanged'), runId: z.string(), step: z.number().int(), lr: z.number() }),
  lrFinderEventSchema,
  /** The answer to `catalog`: every built-in optimizer. */
  z.object({ type: z.literal('catalog'), requestId: z.string(), optimizers: optimizerCatalogSchema }),
  z.object({ type: z.literal('heartbeat'), at: z.number() }),
  landscapeWindowAnswerSchema,
  pathSliceAnswerSchema,
  interpolationAnswerSchema,
]);
export type RunnerToHost = z.infer<typeof runnerToHostSchema>;

/** Parses a message or throws an Error describing exactly which field is wrong. */
export function parseMessage<T>(schema: z.ZodType<T>, value: unknown, boundary: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`invalid message at ${boundary}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return result.data;
}
