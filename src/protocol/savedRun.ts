/**
 * A saved run on disk (`.optimizer-lab/runs/<runId>.jsonl`, src/runner/runFiles/runFileFormat.ts writes and reads it).
 * Line 1 is the header (what the sidebar and `optlab runs` list, read without the rest); then either the
 * streamed events, one per line (a run still running, or one a crash interrupted), or one line holding the
 * finished run's compact snapshot. Numbers inside lines may be encoded (binary arrays, non-finite values):
 * these schemas check the lines after decoding.
 */
import { z } from 'zod';
import { hpValueSchema } from './runner';
import { dashboardEventSchema, doneEventSchema, runSnapshotSchema } from './webview';

export const SAVED_RUN_FORMAT = 'optimizer-lab-run';
export const SAVED_RUN_VERSION = 1;

/** What was asked for, enough to run it again (file paths absolute; unsaved texts are not kept, their hashes are). */
export const savedRequestSchema = z.object({
  file: z.string(),
  objective: z.string().optional(),
  optimizer: z.string().optional(),
  ruleFile: z.string().optional(),
  lr: z.number().optional(),
  hp: z.record(z.string(), hpValueSchema).optional(),
  schedule: z.string().optional(),
  steps: z.number().int().positive().optional(),
  seed: z.number().int().optional(),
  curvatureEvery: z.union([z.number().int().nonnegative(), z.literal('auto')]).optional(),
  landscape: z.boolean().optional(),
  group: z.string().optional(),
});
export type SavedRequest = z.infer<typeof savedRequestSchema>;

/** How a saved run ended; 'interrupted': the editor stopped (crash, reload) while it ran, what streamed is kept. */
export const savedStatusSchema = z.union([doneEventSchema.shape.status, z.enum(['error', 'interrupted', 'running'])]);
export type SavedStatus = z.infer<typeof savedStatusSchema>;

export const savedRunHeaderSchema = z.object({
  format: z.literal(SAVED_RUN_FORMAT),
  version: z.literal(SAVED_RUN_VERSION),
  runId: z.string().min(1),
  /** ISO time the run started. */
  startedAt: z.string(),
  /** 'streaming': events follow; 'final': one snapshot line follows. */
  state: z.enum(['streaming', 'final']),
  request: savedRequestSchema,
  /** The user's name for the run (sidebar Rename). */
  label: z.string().optional(),
  /** Never cleaned up by the size cap; stays drawn across new runs. */
  pinned: z.boolean().optional(),
  /** sha256 of the objective's bundled source (the runner's meta.sourceHash). */
  objectiveHash: z.string().optional(),
  /** sha256 of the optimizer rule file's text, for a workspace rule. */
  ruleHash: z.string().optional(),
  /** Filled when the run is final: what lists show without reading the steps. */
  summary: z.object({
    objective: z.string().optional(),
    optimizer: z.string().optional(),
    lr: z.number().nullable().optional(),
    status: savedStatusSchema,
    finalLoss: z.number().nullable().optional(),
    steps: z.number().int().nonnegative(),
    backend: z.string().optional(),
    seed: z.number().int().optional(),
    /** Step records dropped by thinning (0: every record kept). */
    thinnedFrom: z.number().int().nonnegative().optional(),
  }).optional(),
});
export type SavedRunHeader = z.infer<typeof savedRunHeaderSchema>;

/** A streamed line: one dashboard event. */
export const savedEventLineSchema = z.object({ event: dashboardEventSchema });

/** The final line: the run as the dashboard keeps it (steps possibly thinned). */
export const savedSnapshotLineSchema = z.object({ snapshot: runSnapshotSchema });
