/**
 * The loss around a run, evaluated on a grid (src/runner/landscape.ts): the
 * runner's `landscape` events, a zoomed window's grid and a path slice carry it.
 */
import { z } from 'zod';

const twoD = new Set(['contour', 'slice2d']);

/**
 * The loss around a run, evaluated on a grid (src/runner/landscape.ts).
 * 'contour' (2 parameters): xs, ys are parameter values, values[j][i] = f(xs[i], ys[j]).
 * 'curve' (1 parameter): xs are parameter values, values[0][i] = f(xs[i]).
 * 'slice2d' / 'slice1d' (more parameters): f(x0 + α·d1 + β·d2) at α = xs[i],
 * β = ys[j], for random filter-normalised directions d1, d2 (Li et al. 2018),
 * so (0, 0) is the initial point. null: the loss was NaN or infinite there.
 */
export const landscapeSchema = z.object({
  kind: z.enum(['contour', 'curve', 'slice2d', 'slice1d']).default('contour'),
  xs: z.array(z.number()).min(2),
  ys: z.array(z.number()).min(2).optional(),
  values: z.array(z.array(z.number().nullable())),
  /** Axis titles (parameter names, or α, β for slices). */
  axes: z.array(z.string()).max(2).optional(),
  /** Milliseconds the evaluation took. */
  ms: z.number().nonnegative().optional(),
}).refine((g) => {
  const rows = twoD.has(g.kind) ? g.ys?.length : g.ys === undefined ? 1 : undefined;
  return rows !== undefined && g.values.length === rows && g.values.every((row) => row.length === g.xs.length);
}, { message: 'values must have ys.length rows (one row for curve and slice1d, which have no ys) of xs.length entries' });
export type Landscape = z.infer<typeof landscapeSchema>;
