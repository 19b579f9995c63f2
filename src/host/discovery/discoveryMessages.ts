/**
 * The discovery worker's replies, checked where they enter the extension host (a thread
 * boundary: the worker is a separate bundle, dist/discoveryWorker.js).
 */
import { z } from 'zod';
import type { SourceSites } from './sites';

const position = { name: z.string(), line: z.number().int(), column: z.number().int(), exported: z.boolean(), problem: z.string().optional() };

const sourceSitesSchema = z.object({
  objectives: z.array(z.object(position)),
  rules: z.array(z.object({ ...position, summary: z.string().optional(), defaultLr: z.number().optional() })),
  schedules: z.array(z.object({ name: z.string(), line: z.number().int(), form: z.enum(['factor', 'lr']) })),
});

export interface DiscoveryRequest {
  readonly id: number;
  readonly text: string;
}

export const discoveryReplySchema = z.union([
  z.object({ id: z.number().int(), sites: sourceSitesSchema }),
  z.object({ id: z.number().int(), error: z.string() }),
]);

export type DiscoveryReply = { id: number; sites: SourceSites } | { id: number; error: string };
