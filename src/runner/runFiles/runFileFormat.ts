/**
 * Saved run files (src/protocol/savedRun.ts describes the lines): writing a header, a streamed event and a
 * finished run; reading one back into the snapshot the dashboard draws. Pure: the store and the CLI do the I/O.
 */
import { z } from 'zod';
import { applyDashboardEvent, emptyRun } from '../../protocol/runHistory';
import {
  SAVED_RUN_FORMAT, SAVED_RUN_VERSION, savedEventLineSchema, savedRunHeaderSchema,
  type SavedRequest, type SavedRunHeader, type SavedStatus,
} from '../../protocol/savedRun';
import { dashboardStepSchema, runSnapshotSchema, type DashboardEvent, type RunSnapshot } from '../../protocol/webview';
import { decodeLine, encodeLine } from './lineCodec';
import { fromColumns, thinSteps, toColumns, type StepColumns } from './stepColumns';

/** A saved run keeps at most this many step records unless told otherwise (thinned beyond). */
export const DEFAULT_MAX_STEP_RECORDS = 5000;

export const RUN_FILE_EXTENSION = '.jsonl';

/** The message a run interrupted while streaming carries (it has no `done`). */
export const INTERRUPTED_MESSAGE = 'interrupted: the editor stopped while this run streamed; the steps saved until then are kept';

const numbers = z.array(z.number());
const stepColumnsSchema = z.object({
  step: numbers, loss: numbers, gradNorm: numbers, updateNorm: numbers, lr: numbers, evals: numbers, wallMs: numbers,
  params: numbers.optional(), paramsWidth: z.number().int().positive().optional(),
});
/** The final line: the snapshot with its steps either as columns (compact) or as records (mixed parameters). */
const finalLineSchema = z.object({
  snapshot: runSnapshotSchema.extend({ steps: z.array(dashboardStepSchema) }),
  columns: stepColumnsSchema.optional(),
});

/** A file that cannot be read as a saved run; the reader skips it with this message. */
export class RunFileError extends Error {}

export function newHeader(runId: string, request: SavedRequest, startedAt: Date, hashes: { ruleHash?: string } = {}): SavedRunHeader {
  return {
    format: SAVED_RUN_FORMAT, version: SAVED_RUN_VERSION, runId, startedAt: startedAt.toISOString(), state: 'streaming', request,
    ...(hashes.ruleHash ? { ruleHash: hashes.ruleHash } : {}),
  };
}

export function headerLine(header: SavedRunHeader): string {
  return `${encodeLine(header)}\n`;
}

export function eventLine(event: DashboardEvent): string {
  return `${encodeLine({ event })}\n`;
}

/** How a run ended, as lists show it ('running' while no end is known). */
export function savedStatus(run: RunSnapshot): SavedStatus {
  if (run.done) return run.done.status;
  if (run.error) return run.error.message === INTERRUPTED_MESSAGE ? 'interrupted' : 'error';
  return 'running';
}

/** The header of a finished run: its summary filled from the snapshot. */
export function finalHeader(header: SavedRunHeader, run: RunSnapshot, thinnedFrom = 0): SavedRunHeader {
  const last = run.steps[run.steps.length - 1];
  return {
    ...header,
    state: 'final',
    ...(run.meta?.sourceHash ? { objectiveHash: run.meta.sourceHash } : {}),
    summary: {
      objective: run.meta?.objective ?? header.request.objective,
      optimizer: run.meta?.optimizer.id ?? header.request.optimizer,
      lr: run.meta?.optimizer.lr ?? header.request.lr ?? null,
      status: savedStatus(run),
      finalLoss: run.done?.final.loss ?? last?.loss ?? null,
      steps: last ? last.step + 1 : 0,
      ...(run.meta ? { backend: run.meta.backend, seed: run.meta.seed } : {}),
      ...(thinnedFrom > 0 ? { thinnedFrom } : {}),
    },
  };
}

/** The whole text of a finished run file: header, then the snapshot with at most `maxSteps` step records. */
export function finalText(header: SavedRunHeader, run: RunSnapshot, maxSteps = DEFAULT_MAX_STEP_RECORDS): string {
  const steps = thinSteps(run.steps, maxSteps);
  const thinnedFrom = steps.length < run.steps.length ? run.steps.length : 0;
  const columns = toColumns(steps);
  const body = columns ? { snapshot: { ...run, steps: [] }, columns } : { snapshot: { ...run, steps } };
  return `${headerLine(finalHeader(header, run, thinnedFrom))}${encodeLine(body)}\n`;
}

function parseHeader(line: string | undefined, name: string): SavedRunHeader {
  if (line === undefined || line.trim() === '') throw new RunFileError(`${name}: empty file`);
  let raw: unknown;
  try {
    raw = decodeLine(line);
  } catch (e) {
    throw new RunFileError(`${name}:1: not a saved run (${(e as Error).message})`);
  }
  const parsed = savedRunHeaderSchema.safeParse(raw);
  if (!parsed.success) throw new RunFileError(`${name}:1: not a saved run header (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`);
  return parsed.data;
}

/** The header alone (what lists need), from the file's first line. */
export function readHeader(firstLine: string, name: string): SavedRunHeader {
  return parseHeader(firstLine, name);
}

export interface ParsedRunFile {
  readonly header: SavedRunHeader;
  readonly run: RunSnapshot;
  /** True for a file still in its streaming form (its run was interrupted unless it is still running). */
  readonly streamed: boolean;
  /** What was skipped (a half-written last line), to show as a warning. */
  readonly warnings: string[];
}

function parseFinal(line: string | undefined, name: string): RunSnapshot {
  if (line === undefined) throw new RunFileError(`${name}:2: the run's data is missing`);
  let parsed;
  try {
    parsed = finalLineSchema.safeParse(decodeLine(line));
  } catch (e) {
    throw new RunFileError(`${name}:2: unreadable (${(e as Error).message})`);
  }
  if (!parsed.success) throw new RunFileError(`${name}:2: not a saved run (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`);
  const { snapshot, columns } = parsed.data;
  try {
    return columns ? { ...snapshot, steps: fromColumns(columns as StepColumns) } : snapshot;
  } catch (e) {
    throw new RunFileError(`${name}:2: ${(e as Error).message}`);
  }
}

/** Folds streamed events; a line that cannot be read ends the fold there (a crash can cut the last line). */
function foldStreamed(header: SavedRunHeader, lines: readonly string[], name: string, warnings: string[]): RunSnapshot {
  const runs = new Map<string, RunSnapshot>([[header.runId, emptyRun(header.runId)]]);
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    let parsed;
    try {
      parsed = savedEventLineSchema.safeParse(decodeLine(lines[i]));
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success || (parsed.data.event.type !== 'error' && parsed.data.event.runId !== header.runId)) {
      warnings.push(`${name}:${i + 2}: unreadable line; the ${i} event(s) before it are kept`);
      break;
    }
    const event = parsed.data.event.type === 'error' ? { ...parsed.data.event, runId: header.runId } : parsed.data.event;
    applyDashboardEvent(runs, event);
  }
  return runs.get(header.runId) as RunSnapshot;
}

/** A saved run file's text read back (throws RunFileError when it is not one). */
export function parseRunFile(text: string, name: string): ParsedRunFile {
  const lines = text.split('\n');
  const header = parseHeader(lines[0], name);
  const warnings: string[] = [];
  if (header.state === 'final') return { header, run: parseFinal(lines[1], name), streamed: false, warnings };
  return { header, run: foldStreamed(header, lines.slice(1), name, warnings), streamed: true, warnings };
}

/** A streamed run whose writer is gone, as a finished one: marked interrupted unless it ended. */
export function interruptedRun(run: RunSnapshot): RunSnapshot {
  if (run.done || run.error) return run;
  return { ...run, error: { kind: 'runner-crash', message: INTERRUPTED_MESSAGE } };
}
