/**
 * Dashboard -> host: the sweep commands started from the dashboard's buttons. "Compare (tuned)" tunes the
 * optimizers the dashboard shows (its runs' built-in optimizers and the menu's) with the same budget each, as
 * the palette's "Compare optimizers (tuned)…" does, on the dashboard's objective and with its steps.
 */
import { z } from 'zod';

export const tunedCompareAskSchema = z.object({
  type: z.literal('tunedCompare'),
  /** Built-in optimizer ids, in the dashboard's order (the host keeps the ones it knows). */
  optimizers: z.array(z.string()),
  /** Steps of every tuning and held-out run (the dashboard's steps control). */
  steps: z.number().int().positive(),
});
export type TunedCompareAsk = z.infer<typeof tunedCompareAskSchema>;

/** "Sweep lr…" beside Compare: the sweep command on the dashboard's objective with the menu's optimizer (a built-in, or a workspace rule). */
export const runSweepAskSchema = z.object({
  type: z.literal('runSweep'),
  optimizer: z.object({ id: z.string(), rule: z.object({ file: z.string() }).optional() }),
  steps: z.number().int().positive(),
});
export type RunSweepAsk = z.infer<typeof runSweepAskSchema>;
