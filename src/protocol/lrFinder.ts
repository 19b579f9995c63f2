/**
 * The learning-rate range test (src/core/tuning/lrFinder.ts) as messages. A run request with `lrFinder`
 * is the range test: the runner starts at `from`, grows the lr exponentially to `to` over the request's
 * steps, stops once the smoothed loss passes 4× its best and streams `lrFinder` events beside the usual
 * steps (the CLI's `optlab lr-find` and the editor's "Find lr" make the same request). The host shows the
 * test in the dashboard's LR finder card (`lrFinderView`); the card's "Use this lr" answers with `useLr`.
 */
import { z } from 'zod';

/**
 * The test's range in a request: lr from `from` to `to` over `steps` updates; what is absent is the runner's
 * default (LR_FINDER_DEFAULTS in src/core/tuning/lrFinder.ts, fastai's 1e-7 to 10 in 100 steps). The run
 * request's own `steps`, schedule and lr are ignored.
 */
export const lrFinderRangeSchema = z
  .object({ from: z.number().positive().optional(), to: z.number().positive().optional(), steps: z.number().int().min(2).optional() })
  .refine((r) => r.from === undefined || r.to === undefined || r.to > r.from, { message: 'the lr finder needs from < to' });
export type LrFinderRangeAsked = z.infer<typeof lrFinderRangeSchema>;

/** The range the runner ran (defaults filled in). */
export const lrFinderResolvedRangeSchema = z.object({ from: z.number().positive(), to: z.number().positive(), steps: z.number().int().min(2) });
export type LrFinderRange = z.infer<typeof lrFinderResolvedRangeSchema>;

/** One update of the test: its lr, its loss and the bias-corrected moving average of the losses so far. */
export const lrFinderPointSchema = z.object({
  step: z.number().int().nonnegative(),
  lr: z.number().positive(),
  loss: z.number(),
  smoothed: z.number(),
});
export type LrFinderPointMessage = z.infer<typeof lrFinderPointSchema>;

/** fastai's two suggestions; absent when the test had too few points past its first tenth. */
export const lrSuggestionsSchema = z.object({
  /** Where the smoothed loss falls fastest against log lr. */
  steepest: z.number().positive().optional(),
  /** The lr of the lowest smoothed loss, divided by 10. */
  minimumOverTen: z.number().positive().optional(),
});
export type LrSuggestionsMessage = z.infer<typeof lrSuggestionsSchema>;

/** Runner -> host: the range it runs (first, with no points), the test's new points (with each steps batch); `final` once, just before the run's `done`. */
export const lrFinderEventSchema = z.object({
  type: z.literal('lrFinder'),
  runId: z.string(),
  range: lrFinderResolvedRangeSchema,
  points: z.array(lrFinderPointSchema),
  final: z
    .object({
      /** The update at which the smoothed loss passed 4× its best (or the loss stopped being finite). */
      stoppedAt: z.number().int().nonnegative().optional(),
      suggestions: lrSuggestionsSchema,
    })
    .optional(),
});
export type LrFinderEvent = z.infer<typeof lrFinderEventSchema>;

/** Host -> dashboard: the whole test so far (sent again as it grows); the card redraws from it. */
export const lrFinderViewSchema = z.object({
  type: z.literal('lrFinderView'),
  /** The objective file as the card names it (workspace-relative in the editor). */
  file: z.string(),
  objective: z.string(),
  /** The optimizer the test ran (a built-in id or a rule's name) and whether it is the settings' default one. */
  optimizer: z.object({ id: z.string(), isDefault: z.boolean() }),
  /** The range the runner runs (absent until its first event says). */
  range: lrFinderResolvedRangeSchema.optional(),
  status: z.enum(['running', 'done', 'cancelled', 'error']),
  points: z.array(lrFinderPointSchema),
  stoppedAt: z.number().int().nonnegative().optional(),
  suggestions: lrSuggestionsSchema.optional(),
  /** Why the test failed, at the user's file:line when known. */
  error: z.object({ message: z.string(), file: z.string().optional(), line: z.number().int().positive().optional() }).optional(),
});
export type LrFinderView = z.infer<typeof lrFinderViewSchema>;

/** Dashboard -> host: "Use this lr" (the host sets optimizerLab.learningRate when the test ran the default optimizer). */
export const useLrSchema = z.object({
  type: z.literal('useLr'),
  lr: z.number().positive(),
  optimizer: z.string(),
});
export type UseLr = z.infer<typeof useLrSchema>;

/**
 * Dashboard -> host: "Find lr" beside Run: the range test on the dashboard's objective (its last run's) with the
 * optimizer its menu shows (a built-in id, or a workspace rule's name and file; the host runs only rules its scan found).
 */
export const findLrAskSchema = z.object({
  type: z.literal('findLr'),
  optimizer: z.object({ id: z.string(), rule: z.object({ file: z.string() }).optional() }),
});
export type FindLrAsk = z.infer<typeof findLrAskSchema>;
