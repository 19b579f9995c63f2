/**
 * The dashboard's landscape requests and their answers (page ↔ host). After a
 * zoom or pan settles, the page asks for the contour (or curve) of one run over
 * the new window; the slice selector asks for a PCA or Hessian slice through
 * the shown runs. The host fills in what the runner needs (file, text, seed)
 * and passes the answer back with the same requestId; the page draws only the
 * answer to its latest request.
 */
import { z } from 'zod';
import type { InterpolationRequest } from './interpolation';
import { landscapeSchema } from './landscape';
import { windowBoxSchema } from './landscapeWindow';
import { pathSliceMethodSchema, pathSliceSchema } from './pathSlice';

export const windowAskSchema = z.object({ type: z.literal('landscapeWindow'), requestId: z.string(), runId: z.string(), box: windowBoxSchema });
export const sliceAskSchema = z.object({ type: z.literal('pathSlice'), requestId: z.string(), method: pathSliceMethodSchema, runIds: z.array(z.string()).min(1).max(16), box: windowBoxSchema.optional() });
export type WindowAsk = z.infer<typeof windowAskSchema>;
export type SliceAsk = z.infer<typeof sliceAskSchema>;
/** The 1-D interpolation (./interpolation.ts) travels the same way. */
export type LandscapeAsk = WindowAsk | SliceAsk | InterpolationRequest;

export const windowShownSchema = z.object({
  type: z.literal('landscapeWindow'), requestId: z.string(), runId: z.string(),
  grid: landscapeSchema.optional(), warning: z.string().optional(),
});
export const sliceShownSchema = z.object({
  type: z.literal('pathSlice'), requestId: z.string(),
  slice: pathSliceSchema.optional(), warning: z.string().optional(),
});
export type WindowShown = z.infer<typeof windowShownSchema>;
export type SliceShown = z.infer<typeof sliceShownSchema>;
