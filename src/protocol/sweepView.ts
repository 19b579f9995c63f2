/**
 * The host shows a sweep (`optlab sweep --json`, schema in ./sweep.ts) in the
 * dashboard's Sweep card: the parsed file and the path it came from.
 */
import { z } from 'zod';
import { sweepResultSchema } from './sweep';

export const sweepViewMessageSchema = z.object({
  type: z.literal('sweep'),
  /** The file the sweep was read from, as the card names it. */
  file: z.string(),
  result: sweepResultSchema,
});
export type SweepViewMessage = z.infer<typeof sweepViewMessageSchema>;
