/**
 * Messages between the extension host (or a static report page) and the
 * dashboard webview. The host stays thin: it forwards runner events verbatim
 * (tagged by runId, as the runner sends them), keeps the run history, and
 * answers every `ready` with a full `snapshot`. Every receiver validates with
 * these schemas and rejects a bad message whole.
 *
 * Host duties: answer `ready` (also a second one, after a reload) with
 * `snapshot`; forward runner events inside `events`; on a new code version send
 * `liveVersion`; on `run` (replace) drop its current runs and send a new
 * `snapshot` before the new run's events; `banner` for compile errors.
 * Folding events into runs: src/protocol/runHistory.ts.
 */
import { z } from 'zod';
import {
  curvatureSampleSchema, landscapeMessageSchema, landscapeSchema, optimizerChoiceSchema, optimizerInfoSchema, runErrorSchema, runMetaSchema,
  stepRecordSchema, type Landscape,
} from './runner';
import { sweepViewMessageSchema } from './sweepView';
import { findLrAskSchema, lrFinderViewSchema, useLrSchema } from './lrFinder';
import { runSweepAskSchema, tunedCompareAskSchema } from './sweepAsks';
import { sliceAskSchema, sliceShownSchema, windowAskSchema, windowShownSchema } from './landscapeViews';
import { interpolationAnswerSchema, interpolationRequestSchema } from './interpolation';
import { openSweepRunSchema } from './sweepTrial';

/** id of the <script type="application/json"> holding a report page's snapshot. */
export const REPORT_DATA_ID = 'optimizer-lab-report';

/** A step record as the dashboard reads it (`params` draws the trajectory). */
export const dashboardStepSchema = stepRecordSchema;
export type DashboardStep = z.infer<typeof dashboardStepSchema>;

export { landscapeSchema, type Landscape };

/** The runner's 'done' message, field for field. */
export const doneEventSchema = z.object({
  type: z.literal('done'), runId: z.string(),
  status: z.enum(['completed', 'cancelled', 'diverged', 'time-limit', 'converged']),
  final: z.object({ loss: z.number(), gradNorm: z.number(), params: z.array(z.number()) }),
  stepsPerSecond: z.number(), wallMs: z.number(), evals: z.number().int(), message: z.string().optional(),
});
export type DoneEvent = z.infer<typeof doneEventSchema>;

/** Runner events the dashboard draws (the runner's own messages). */
export const dashboardEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('started'), runId: z.string(), meta: runMetaSchema,
    /** Objective file, so "copy as CLI command" can name it (the runner sends the request's). */
    file: z.string().optional(),
    /** Set when the run is one seed of a "repeat with N seeds" group (the host's group id). */
    group: z.string().optional(),
  }),
  z.object({ type: z.literal('steps'), runId: z.string(), steps: z.array(dashboardStepSchema) }),
  z.object({ type: z.literal('curvature'), runId: z.string(), sample: curvatureSampleSchema }),
  doneEventSchema,
  z.object({ type: z.literal('error'), runId: z.string().optional(), error: runErrorSchema }),
  z.object({ type: z.literal('lrChanged'), runId: z.string(), step: z.number().int(), lr: z.number() }),
  landscapeMessageSchema,
]);
export type DashboardEvent = z.infer<typeof dashboardEventSchema>;

/** Everything known about one run, as kept by the host and sent in snapshots. */
export const runSnapshotSchema = z.object({
  runId: z.string(),
  file: z.string().optional(),
  /** Runs of one "repeat with N seeds" group share this id (drawn as mean and min–max band). */
  group: z.string().optional(),
  meta: runMetaSchema.optional(),
  steps: z.array(dashboardStepSchema),
  curvature: z.array(curvatureSampleSchema),
  lrChanges: z.array(z.object({ step: z.number().int(), lr: z.number() })),
  done: doneEventSchema.optional(),
  error: runErrorSchema.optional(),
  landscape: landscapeSchema.optional(),
  /** Why the landscape could not be drawn (the run itself went on). */
  landscapeWarning: z.string().optional(),
});
export type RunSnapshot = z.infer<typeof runSnapshotSchema>;

export const bannerSchema = z.object({
  severity: z.enum(['error', 'warning', 'info']),
  message: z.string(),
  file: z.string().optional(),
  line: z.number().int().positive().optional(),
  column: z.number().int().positive().optional(),
});
export type Banner = z.infer<typeof bannerSchema>;

/** What the controls offer: a built-in optimizer as the catalogue (derived from the registry) describes it. */
export const optimizerOptionSchema = optimizerInfoSchema;
export type OptimizerOption = z.infer<typeof optimizerOptionSchema>;

/**
 * An optimizer rule in a workspace file (src/core/rules/optimizerRule.ts), offered in the
 * optimizer menu beside the built-ins; choosing it asks for `optimizer: { id: name, rule: { file } }`.
 */
export const ruleOptionSchema = z.object({
  /** The rule's export name. */
  name: z.string(),
  /** Absolute path of the rule's file. */
  file: z.string(),
  /** The file as the menu names it (workspace-relative in the editor). */
  label: z.string(),
  summary: z.string().optional(),
  /** `defaults.lr` when the host could read it from the text. */
  defaultLr: z.number().positive().optional(),
});
export type RuleOption = z.infer<typeof ruleOptionSchema>;

/** A schedule function a workspace file exports (src/host/discovery/findSites.ts): the schedule field offers it as FILE#NAME. */
export const scheduleOptionSchema = z.object({
  name: z.string(),
  /** Absolute path of the file. */
  file: z.string(),
  /** The file as the list names it (workspace-relative in the editor). */
  label: z.string(),
  /** 'factor': (step) => factor (torch's LambdaLR); 'lr': (step, lr) => lr. */
  form: z.enum(['factor', 'lr']),
});
export type ScheduleOption = z.infer<typeof scheduleOptionSchema>;

/** Where the controls start: the user's optimizerLab.* settings (lr absent: the optimizer's default). */
export const controlDefaultsSchema = z.object({
  optimizer: z.string(),
  lr: z.number().positive().optional(),
  schedule: z.string(),
  steps: z.number().int().positive(),
});
export type ControlDefaults = z.infer<typeof controlDefaultsSchema>;

export const hostToWebviewSchema = z.discriminatedUnion('type', [
  /** Full state: the answer to every `ready` (a reload gets a fresh one). */
  z.object({
    type: z.literal('snapshot'),
    /** Code version of `runs`; `ghosts` are the previous version's runs. */
    version: z.number().int().nonnegative(),
    runs: z.array(runSnapshotSchema),
    ghosts: z.array(runSnapshotSchema),
    banner: bannerSchema.nullable(),
    optimizers: z.array(optimizerOptionSchema).optional(),
    /** The workspace's optimizer rules (absent in a static report). */
    rules: z.array(ruleOptionSchema).optional(),
    /** The workspace's schedule functions (absent in a static report). */
    schedules: z.array(scheduleOptionSchema).optional(),
    /** Objective file and name the controls run (none in a static report). */
    target: z.object({ file: z.string(), objective: z.string().optional() }).optional(),
    /** False in a static report: controls that need a runner are hidden. */
    interactive: z.boolean().default(true),
    /** The controls' starting values from the user's settings (until the user changes them). */
    defaults: controlDefaultsSchema.optional(),
  }),
  /** Runner events in arrival order, batched by the host (e.g. per 50 ms). */
  z.object({ type: z.literal('events'), events: z.array(dashboardEventSchema).min(1) }),
  /** The user's code changed: current runs become ghosts, earlier ghosts go. */
  z.object({ type: z.literal('liveVersion'), version: z.number().int().nonnegative() }),
  /** Show (or, with null, clear) the compile/runtime error banner. */
  z.object({ type: z.literal('banner'), banner: bannerSchema.nullable() }),
  /** The workspace's optimizer rules changed (a rule file was added, edited or deleted). */
  z.object({ type: z.literal('rules'), rules: z.array(ruleOptionSchema) }),
  /** The workspace's schedule functions changed. */
  z.object({ type: z.literal('schedules'), schedules: z.array(scheduleOptionSchema) }),
  /** A sweep file for the Sweep card (webview/sweep/); the runs' charts are untouched. */
  sweepViewMessageSchema,
  /** An lr range test for the LR finder card (webview/lrFinder/), sent again as it grows. */
  lrFinderViewSchema,
  /** Answers to the page's landscape requests (src/protocol/landscapeViews.ts). */
  windowShownSchema,
  sliceShownSchema,
  interpolationAnswerSchema,
]);
export type HostToWebview = z.infer<typeof hostToWebviewSchema>;
export type HostToWebviewInput = z.input<typeof hostToWebviewSchema>;

/** What the Run / Compare controls ask for; the host adds file, runId, seed. */
export const runAskSchema = z.object({
  optimizer: optimizerChoiceSchema,
  schedule: z.string().optional(),
  steps: z.number().int().positive(),
  /** The spectrum card's "sample the density" toggle: spectral density and trace on every curvature sample (the CLI's --spectrum). */
  spectrum: z.boolean().optional(),
});
export type RunAsk = z.infer<typeof runAskSchema>;

export const webviewToHostSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  /** Replace the current runs with this one. */
  z.object({ type: z.literal('run'), ask: runAskSchema }),
  /** Add this run beside the current ones. */
  z.object({ type: z.literal('compare'), ask: runAskSchema }),
  /** Change a running run's lr from its next step (optimizer state kept). */
  z.object({ type: z.literal('setLr'), runId: z.string(), lr: z.number().positive() }),
  /** Run `runId`'s configuration again with seeds s, s+1, …, s+seeds−1 (s: its seed; the run itself is seed s). */
  z.object({ type: z.literal('repeat'), runId: z.string(), seeds: z.number().int().min(2).max(50) }),
  /** Stop one run, or every running run when runId is absent. */
  z.object({ type: z.literal('stop'), runId: z.string().optional() }),
  /** Save a file: `content` is a data: URL for png, webm and zip (the trajectory replay's video and PNG frames), text otherwise. */
  z.object({
    type: z.literal('exportFile'),
    format: z.enum(['png', 'webm', 'zip', 'csv', 'json']),
    suggestedName: z.string(),
    content: z.string(),
  }),
  /** Put text on the clipboard (the webview's own clipboard is unreliable). */
  z.object({ type: z.literal('copy'), what: z.enum(['cli', 'torch', 'replay']), text: z.string() }),
  /** "Use this lr" in the LR finder card; "Find lr" beside Run. */
  useLrSchema, findLrAskSchema,
  /** A contour over a zoomed window; a PCA or Hessian slice (src/protocol/landscapeViews.ts). */
  windowAskSchema,
  sliceAskSchema,
  interpolationRequestSchema,
  /** The Sweep card's "Open as run": that trial's configuration as a normal run. */
  openSweepRunSchema,
  /** "Compare (tuned)" and "Sweep lr…" beside Compare (src/protocol/sweepAsks.ts). */
  tunedCompareAskSchema, runSweepAskSchema,
]);
export type WebviewToHost = z.infer<typeof webviewToHostSchema>;
