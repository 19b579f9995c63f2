/**
 * The dashboard zoomed the contour (or curve) of a 1- or 2-parameter run: a
 * grid over the new window. The webview asks the host with the run's id; the
 * host asks the runner with the run's objective (file, unsaved text, name),
 * and forwards the answer to the page as that run's `landscape` event.
 */
import { z } from 'zod';
import { landscapeSchema } from './landscape';

/** One [lo, hi] per parameter (1 or 2 of them). */
export const windowBoxSchema = z.array(z.tuple([z.number(), z.number()]).refine(([lo, hi]) => hi > lo, 'hi must exceed lo')).min(1).max(2);
export type WindowBox = z.infer<typeof windowBoxSchema>;

export const landscapeWindowRequestSchema = z.object({
  type: z.literal('landscapeWindow'),
  requestId: z.string(),
  file: z.string(),
  text: z.string().optional(),
  objective: z.string().optional(),
  seed: z.number().int().default(0),
  /** The run maximised: the grid is −f, the loss its records carry. */
  maximize: z.boolean().optional(),
  box: windowBoxSchema,
});
export type LandscapeWindowRequest = z.infer<typeof landscapeWindowRequestSchema>;

/** The runner's answer: the grid over the window, or why there is none (the page keeps its contour then). */
export const landscapeWindowAnswerSchema = z.object({
  type: z.literal('landscapeWindow'),
  requestId: z.string(),
  grid: landscapeSchema.optional(),
  warning: z.string().optional(),
});
export type LandscapeWindowAnswer = z.infer<typeof landscapeWindowAnswerSchema>;
