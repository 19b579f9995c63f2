/**
 * Slices that explain a path, for objectives with more than two parameters
 * (Li et al. 2018, section 7): the loss on the plane through the first run's
 * final point spanned by the top two PCA directions of its trajectory, or by
 * the top two Hessian eigenvectors there, with every listed run's path
 * projected onto that plane. The runner keeps a thinned copy of each recent
 * run's path (src/runner/pathStore.ts), so the request names runs only.
 */
import { z } from 'zod';
import { landscapeSchema } from './landscape';
import { windowBoxSchema } from './landscapeWindow';

/** 'random': the run's own random filter-normalised slice through x0, asked for a zoomed window of it. */
export const pathSliceMethodSchema = z.enum(['pca', 'hessian', 'random']);
export type PathSliceMethod = z.infer<typeof pathSliceMethodSchema>;

export const pathSliceRequestSchema = z.object({
  type: z.literal('pathSlice'),
  requestId: z.string(),
  method: pathSliceMethodSchema,
  /** The first run sets the plane (its final point is the origin); every run found is projected onto it. */
  runIds: z.array(z.string()).min(1).max(16),
  /** A zoomed window [[α lo, α hi], [β lo, β hi]] on the same plane; without it the grid spans the paths. */
  box: windowBoxSchema.optional(),
});
export type PathSliceRequest = z.infer<typeof pathSliceRequestSchema>;

/** One run's path on the plane: (α, β) of each recorded point, first to last; `steps` says which step each is. */
export const projectedPathSchema = z.object({
  runId: z.string(),
  points: z.array(z.tuple([z.number(), z.number()])).min(1),
  steps: z.array(z.number().int().nonnegative()),
}).refine((p) => p.steps.length === p.points.length, 'one step per point');
export type ProjectedPath = z.infer<typeof projectedPathSchema>;

export const pathSliceSchema = z.object({
  method: pathSliceMethodSchema,
  /** kind 'slice2d': α along the first direction, β along the second, (0, 0) the first run's final point. */
  grid: landscapeSchema,
  paths: z.array(projectedPathSchema),
  /** PCA: the share of the path's variance along each direction (sum ≤ 1). */
  explained: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]).optional(),
  /** Hessian: the two eigenvalues of largest magnitude at the final point. */
  eigenvalues: z.tuple([z.number(), z.number()]).optional(),
  /** Runs asked for whose path the runner no longer has (run before a restart, or not recorded). */
  missing: z.array(z.string()).default([]),
});
export type PathSlice = z.infer<typeof pathSliceSchema>;

export const pathSliceAnswerSchema = z.object({
  type: z.literal('pathSlice'),
  requestId: z.string(),
  slice: pathSliceSchema.optional(),
  warning: z.string().optional(),
});
export type PathSliceAnswer = z.infer<typeof pathSliceAnswerSchema>;
