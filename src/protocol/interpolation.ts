/**
 * The 1-D interpolation of issue 23 as it travels page → host → runner and back: the loss along the
 * straight line between two recorded runs' final points (t = 0 the first, t = 1 the second), or one run's
 * start and end. The runner computes it (src/runner/interpolationProfile.ts); the request names runs only,
 * as a path slice does (the runner kept their paths). The same messages serve both boundaries.
 */
import { z } from 'zod';

export const interpolationProfileSchema = z.object({
  /** 'runs': run A's final point (t = 0) to run B's (t = 1); 'path': a run's start to its end. */
  between: z.enum(['runs', 'path']),
  ts: z.array(z.number()).min(2),
  losses: z.array(z.number().nullable()),
  /** The loss at t = 0 and t = 1. */
  ends: z.tuple([z.number(), z.number()]),
  /** The highest loss for t in [0, 1] above the higher end (0: the minima connect along the line). */
  barrier: z.number().nonnegative(),
}).refine((p) => p.losses.length === p.ts.length, 'one loss per t');
export type InterpolationProfileView = z.infer<typeof interpolationProfileSchema>;

export const interpolationRequestSchema = z.object({
  type: z.literal('interpolation'),
  requestId: z.string(),
  /** One run: its start to its end; two: the first's final point to the second's. */
  runIds: z.union([z.tuple([z.string()]), z.tuple([z.string(), z.string()])]),
});
export type InterpolationRequest = z.infer<typeof interpolationRequestSchema>;

export const interpolationAnswerSchema = z.object({
  type: z.literal('interpolation'),
  requestId: z.string(),
  profile: interpolationProfileSchema.optional(),
  warning: z.string().optional(),
});
export type InterpolationAnswer = z.infer<typeof interpolationAnswerSchema>;
