/**
 * A run's replay record ("Share" in the runs table, and every run of an HTML report): what reproduces
 * the run in another workspace — the objective (name, file, sha256 of its bundled source), the
 * optimizer's settings, the seed and the backend — plus the final loss it reached, so the reopened run
 * can say whether it reproduced. As JSON, or as one line of text (a link) holding the same JSON.
 * Pure: the dashboard writes records, the host's "Open Replay Record" reads them (src/host/replayRecordCommand.ts).
 */
import { z } from 'zod';
import { backendIdSchema, hpValueSchema, type RunMeta } from './runner';
import type { SavedRequest } from './savedRun';
import type { RunSnapshot } from './webview';

export const REPLAY_RECORD_FORMAT = 'optimizer-lab-replay';
/** A record as a link: this prefix, then the JSON in base64url. */
export const REPLAY_LINK_PREFIX = 'optimizer-lab-replay:';

export const replayRecordSchema = z.object({
  format: z.literal(REPLAY_RECORD_FORMAT),
  version: z.literal(1),
  objective: z.object({
    name: z.string().min(1),
    /** The file as the recording workspace named it; the opener looks for it by its trailing path. */
    file: z.string().min(1),
    /** sha256 of the objective's bundled source (RunMeta.sourceHash). */
    sourceHash: z.string(),
  }),
  settings: z.object({
    optimizer: z.string().min(1),
    /** The optimizer is a rule exported by this file (a workspace file, found like the objective's). */
    ruleFile: z.string().optional(),
    lr: z.number(),
    hp: z.record(z.string(), hpValueSchema),
    schedule: z.string().optional(),
    steps: z.number().int().positive(),
    seed: z.number().int(),
  }),
  backend: backendIdSchema,
  tfjsVersion: z.string(),
  /** Where the recorded run ended, when it finished. */
  final: z.object({ loss: z.number(), steps: z.number().int().nonnegative() }).optional(),
});
export type ReplayRecord = z.infer<typeof replayRecordSchema>;

/** The record of a run that started (undefined before its meta arrives). */
export function replayRecordOf(run: RunSnapshot, fallbackFile?: string): ReplayRecord | undefined {
  const m = run.meta;
  const file = run.file ?? fallbackFile;
  if (!m || !file) return undefined;
  const last = run.steps[run.steps.length - 1];
  return {
    format: REPLAY_RECORD_FORMAT, version: 1,
    objective: { name: m.objective, file, sourceHash: m.sourceHash },
    settings: {
      optimizer: m.optimizer.id, ...(m.optimizer.file ? { ruleFile: m.optimizer.file } : {}), lr: m.optimizer.lr, hp: m.optimizer.hp,
      ...(m.schedule !== undefined && m.schedule !== 'constant' ? { schedule: m.schedule } : {}), steps: m.steps, seed: m.seed,
    },
    backend: m.backend, tfjsVersion: m.tfjsVersion,
    ...(run.done ? { final: { loss: run.done.final.loss, steps: last ? last.step + 1 : 0 } } : {}),
  };
}

const base64url = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

export function replayLink(record: ReplayRecord): string {
  return REPLAY_LINK_PREFIX + base64url(new TextEncoder().encode(JSON.stringify(record)));
}

/** A record from pasted text: its JSON, or a link (the prefix may sit inside a longer line, e.g. a URL's query). */
export function parseReplayRecord(text: string): { record: ReplayRecord } | { problem: string } {
  const trimmed = text.trim();
  let raw: unknown;
  try {
    const at = trimmed.indexOf(REPLAY_LINK_PREFIX);
    if (at >= 0) {
      const code = /^[A-Za-z0-9_-]*/.exec(trimmed.slice(at + REPLAY_LINK_PREFIX.length))?.[0] ?? '';
      const binary = atob(code.replace(/-/g, '+').replace(/_/g, '/'));
      raw = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
    } else {
      raw = JSON.parse(trimmed);
    }
  } catch {
    return { problem: 'not a replay record: neither its JSON nor its link' };
  }
  const parsed = replayRecordSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { problem: `not a replay record: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}` };
  }
  return { record: parsed.data };
}

/** The run to start for a record, its files found in this workspace (`file`, `ruleFile`: absolute). */
export function requestOfRecord(record: ReplayRecord, file: string, ruleFile?: string): SavedRequest {
  const s = record.settings;
  return {
    file, objective: record.objective.name, optimizer: s.optimizer, ...(ruleFile ? { ruleFile } : {}),
    lr: s.lr, hp: s.hp, ...(s.schedule !== undefined ? { schedule: s.schedule } : {}), steps: s.steps, seed: s.seed,
  };
}

/**
 * Where to look for a recorded file in another workspace, best first: the path's trailing parts, longest
 * first ('/a/b/objective.ts' → 'a/b/objective.ts', 'b/objective.ts', 'objective.ts'), relative to a folder.
 */
export function trailingPaths(file: string): string[] {
  const parts = file.split(/[\\/]+/).filter((p) => p !== '' && !/^[A-Za-z]:$/.test(p));
  return parts.map((_, i) => parts.slice(i).join('/'));
}

/** What differs between the record and the reopened run (its meta; its final loss once done): empty when none. */
export function replayDifferences(record: ReplayRecord, meta: RunMeta, finalLoss?: number): string[] {
  const out: string[] = [];
  if (meta.sourceHash !== record.objective.sourceHash) {
    out.push(`the objective's source changed since the record (sha256 ${record.objective.sourceHash.slice(0, 12)}… recorded, ${meta.sourceHash.slice(0, 12)}… now): the run may differ`);
  }
  if (meta.backend !== record.backend) out.push(`backend ${meta.backend} here, ${record.backend} in the record: losses may differ in the last digits`);
  if (meta.tfjsVersion !== record.tfjsVersion) out.push(`TensorFlow.js ${meta.tfjsVersion} here, ${record.tfjsVersion} in the record`);
  if (finalLoss !== undefined && record.final && !Object.is(finalLoss, record.final.loss)) {
    out.push(`final loss ${finalLoss} here, ${record.final.loss} in the record`);
  }
  return out;
}
