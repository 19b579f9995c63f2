/**
 * What `optlab sweep` and `optlab lr-find` write with --json (the dashboard reads
 * these files), and the messages between a sweep and its worker threads. Losses
 * that were not finite are null in JSON.
 */
import { z } from 'zod';
import { lrFinderPointSchema, lrSuggestionsSchema } from './lrFinder';
import { hpValueSchema, runErrorSchema, runRequestSchema } from './runner';

const lossSchema = z.number().nullable();

export const sweepRunStatusSchema = z.enum(['completed', 'converged', 'diverged', 'cancelled', 'time-limit', 'pruned', 'error']);
export type SweepRunStatus = z.infer<typeof sweepRunStatusSchema>;

/** One dimension of the space, as given with --grid (a range or a list of alternatives as text). */
export const sweepDimensionSchema = z.discriminatedUnion('kind', [
  z.object({ name: z.string(), kind: z.literal('range'), from: z.number(), to: z.number(), scale: z.enum(['log', 'lin']), count: z.number().int().positive().optional() }),
  z.object({ name: z.string(), kind: z.literal('list'), values: z.array(z.string()) }),
]);

export const sweepRunSchema = z.object({
  /** The configuration's index (runs of one configuration over several seeds share it). */
  trial: z.number().int().nonnegative(),
  /** The swept values as given on the command line. */
  point: z.record(z.string(), z.string()),
  lr: z.number(),
  /** Every hyperparameter of the run, defaults included. */
  hp: z.record(z.string(), hpValueSchema),
  seed: z.number().int(),
  status: sweepRunStatusSchema,
  /** Steps this run took (a pruned trial: its last rung's). */
  stepsDone: z.number().int().nonnegative(),
  final: z.object({ loss: lossSchema, gradNorm: lossSchema }),
  divergedAt: z.number().int().optional(),
  message: z.string().optional(),
  /** Losses along the run, thinned to at most SWEEP_STEPS_KEPT points (first and last kept). */
  steps: z.array(z.object({ step: z.number().int().nonnegative(), loss: lossSchema })),
  /** Successive halving: the loss at each rung this trial reached. */
  rungs: z.array(z.object({ steps: z.number().int().positive(), loss: lossSchema })).optional(),
});
export type SweepRun = z.infer<typeof sweepRunSchema>;

const bestSchema = z.object({
  trial: z.number().int(), point: z.record(z.string(), z.string()), lr: z.number(), hp: z.record(z.string(), hpValueSchema), loss: z.number(), seeds: z.number().int().positive(),
});

/**
 * `optlab sweep --compare A,B,…` (a tuned comparison): every optimizer tuned over the same space with the same budget
 * (one run per configuration, seed `tuningSeed`; its runs are the result's `runs`, with an `optimizer` dimension), then
 * its best configuration run again on held-out seeds, compared by mean final loss over those.
 */
export const tunedComparisonSchema = z.object({
  tuningSeed: z.number().int(),
  /** The held-out seeds every tuned configuration runs with. */
  seeds: z.array(z.number().int()),
  /** What each optimizer's tuning got: the same for all. */
  budget: z.object({ configurations: z.number().int().nonnegative(), steps: z.number().int().positive(), totalSteps: z.number().int().nonnegative() }),
  optimizers: z.array(z.object({
    /** The value of the result's `optimizer` dimension (a built-in's id or a rule's name). */
    id: z.string(),
    file: z.string().optional(),
    /** The best configuration on the tuning seed; null when none finished. */
    tuned: bestSchema.nullable(),
    /** The tuned configuration on each held-out seed. */
    runs: z.array(sweepRunSchema),
    /** Final loss over the held-out seeds: mean, min and max of the finished runs (null when none finished). */
    mean: lossSchema,
    min: lossSchema,
    max: lossSchema,
    /** Held-out runs that diverged or ended without a finite loss. */
    failed: z.number().int().nonnegative(),
  })),
});
export type TunedComparison = z.infer<typeof tunedComparisonSchema>;

export const sweepResultSchema = z.object({
  objective: z.string(),
  /** Absolute path of the objective file (a trial opens as a run on it); absent in files from before it was written. */
  file: z.string().optional(),
  optimizer: z.object({ id: z.string(), file: z.string().optional() }),
  steps: z.number().int().positive(),
  mode: z.enum(['grid', 'random', 'sobol']),
  /** The search's seed (random and sobol). */
  seed: z.number().int().optional(),
  space: z.array(sweepDimensionSchema),
  /** Successive halving's rungs in steps, when on. */
  halving: z.object({ rungs: z.array(z.number().int().positive()) }).optional(),
  workers: z.number().int().positive(),
  wallMs: z.number().nonnegative(),
  runs: z.array(sweepRunSchema),
  /** The configuration with the lowest mean final loss over its seeds (finite losses only); null when none finished. */
  best: bestSchema.nullable(),
  /** A tuned comparison (`--compare`): each optimizer's tuned configuration on held-out seeds. */
  comparison: tunedComparisonSchema.optional(),
});
export type SweepResult = z.infer<typeof sweepResultSchema>;

export const SWEEP_STEPS_KEPT = 200;

/** One configuration for a worker: the run request, and a step to stop after (a halving rung). */
export const sweepTaskSchema = z.object({
  type: z.literal('task'),
  task: z.number().int().nonnegative(),
  request: runRequestSchema,
  stopAfter: z.number().int().positive().optional(),
});
export type SweepTask = z.infer<typeof sweepTaskSchema>;

export const sweepHostToWorkerSchema = z.discriminatedUnion('type', [sweepTaskSchema, z.object({ type: z.literal('exit') })]);
export type SweepHostToWorker = z.infer<typeof sweepHostToWorkerSchema>;

/** What a worker reports on one task: the run's outcome, or the error it failed with. */
export const sweepOutcomeSchema = z.object({
  lr: z.number().optional(),
  hp: z.record(z.string(), hpValueSchema).optional(),
  objective: z.string().optional(),
  status: z.enum(['completed', 'converged', 'diverged', 'cancelled', 'time-limit', 'error']),
  stepsDone: z.number().int().nonnegative(),
  final: z.object({ loss: lossSchema, gradNorm: lossSchema }),
  divergedAt: z.number().int().optional(),
  message: z.string().optional(),
  error: runErrorSchema.optional(),
  steps: z.array(z.object({ step: z.number().int().nonnegative(), loss: lossSchema })),
});
export type SweepOutcome = z.infer<typeof sweepOutcomeSchema>;

export const sweepWorkerToHostSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), backend: z.string() }),
  z.object({ type: z.literal('progress'), task: z.number().int(), steps: z.number().int().nonnegative() }),
  z.object({ type: z.literal('outcome'), task: z.number().int(), outcome: sweepOutcomeSchema }),
]);
export type SweepWorkerToHost = z.infer<typeof sweepWorkerToHostSchema>;

/** `optlab lr-find --json`. */
export const lrFindResultSchema = z.object({
  objective: z.string(),
  optimizer: z.object({ id: z.string(), file: z.string().optional(), hp: z.record(z.string(), hpValueSchema) }),
  from: z.number().positive(),
  to: z.number().positive(),
  steps: z.number().int().positive(),
  /** The update at which the smoothed loss passed 4× its best (or the loss stopped being finite). */
  stoppedAt: z.number().int().optional(),
  points: z.array(lrFinderPointSchema),
  suggestions: lrSuggestionsSchema,
});
export type LrFindResult = z.infer<typeof lrFindResultSchema>;
