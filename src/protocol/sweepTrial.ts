/**
 * Dashboard -> host: open one run of the shown sweep (the Sweep card's chosen trial) as a normal run.
 * The page names the run by its index in the sweep's `runs`; the host reads the settings from the sweep it
 * showed (src/host/sweepTrialRun.ts), so the page never chooses the file or the code that runs.
 */
import { z } from 'zod';

export const openSweepRunSchema = z.object({
  type: z.literal('openSweepRun'),
  /** Index into the shown sweep's `runs`. */
  run: z.number().int().nonnegative(),
});
export type OpenSweepRun = z.infer<typeof openSweepRunSchema>;
