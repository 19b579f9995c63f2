/**
 * The runner's memory limit: parsing '2GB' / '512MB', the default share of the machine, reading a
 * process's resident memory from outside (the parent's check, which works while the child is busy
 * in one long synchronous call) and the message a run that passed the limit ends with.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { RunError } from '../protocol/runner';

const MB = 1024 * 1024;
const GB = 1024 * MB;

/** How often the parent reads the child's resident memory during a run. */
export const MEMORY_CHECK_MS = 250;

/**
 * The child stops a run at its limit itself, naming the objective's line. The parent kills it at 10% past the
 * limit when it has been silent for SILENT_MS (stuck in one long call, where it cannot check), and at 50% past
 * it in any case (a responsive child's own check, every 200 ms, comes first unless memory grows very fast).
 */
const PARENT_KILL_FACTOR = 1.1;
const PARENT_KILL_FACTOR_RESPONSIVE = 1.5;
const SILENT_MS = 500;

/** The runner's exit code after a run passed its memory limit (the parent restarts it and keeps the run's error). */
export const EXIT_OVER_MEMORY = 75;

/** The default limit: half of the machine's memory (or of the cgroup's limit when lower), at least 1 GB. */
export const DEFAULT_MEMORY_SHARE = 0.5;

export function defaultMemoryLimitBytes(): number {
  const constrained = typeof process.constrainedMemory === 'function' ? process.constrainedMemory() : 0;
  // constrainedMemory is 0 or a huge sentinel (2^64-ish) without a cgroup limit.
  const available = constrained > 0 && constrained < os.totalmem() ? constrained : os.totalmem();
  return Math.max(GB, Math.floor(available * DEFAULT_MEMORY_SHARE));
}

/** '2GB', '1.5 GB', '512MB', '512' (MB) → bytes; throws an Error naming the accepted forms. */
export function parseMemorySize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(MB|GB|M|G)?\s*$/i.exec(text);
  const value = m ? Number(m[1]) : NaN;
  if (!m || !(value > 0)) throw new Error(`a memory size is a positive number with MB or GB (e.g. 2GB, 512MB), got '${text}'`);
  const unit = (m[2] ?? 'MB').toUpperCase().startsWith('G') ? GB : MB;
  return Math.round(value * unit);
}

/** 1536 MB → '1.5 GB'; below 1 GB in MB. */
export function formatBytes(bytes: number): string {
  return bytes >= GB ? `${Number((bytes / GB).toFixed(2))} GB` : `${Math.round(bytes / MB)} MB`;
}

/** A process's resident set size in bytes from /proc (Linux); undefined elsewhere or when it is gone. */
export function residentBytesOf(pid: number): number | undefined {
  try {
    const statm = fs.readFileSync(`/proc/${pid}/statm`, 'latin1').split(' ');
    const pages = Number(statm[1]);
    return Number.isFinite(pages) ? pages * PAGE_BYTES : undefined;
  } catch {
    return undefined;
  }
}

/** Node exposes no sysconf: 4 KiB is the page size of x86-64 and most arm64 Linux kernels. */
const PAGE_BYTES = 4096;

/** What the runner had allocated when it passed the limit. */
export interface MemoryUse {
  readonly rssBytes?: number;
  readonly heapBytes?: number;
  readonly arrayBuffersBytes?: number;
  readonly tfjsBytes?: number;
}

/** The objective's file and line, as far as they are known. */
export interface ObjectiveWhere {
  readonly file?: string;
  readonly line?: number;
}

/** The run's error: kind 'memory', the limit and what was allocated, at the objective's file:line when known. */
export function memoryError(limitBytes: number, use: MemoryUse, where: ObjectiveWhere = {}): RunError {
  const parts = [
    use.rssBytes !== undefined ? `${formatBytes(use.rssBytes)} resident` : undefined,
    use.heapBytes !== undefined ? `${formatBytes(use.heapBytes)} JS heap` : undefined,
    use.arrayBuffersBytes !== undefined ? `${formatBytes(use.arrayBuffersBytes)} ArrayBuffers` : undefined,
    use.tfjsBytes !== undefined ? `${formatBytes(use.tfjsBytes)} in TensorFlow.js tensors` : undefined,
  ].filter(Boolean);
  const message =
    `the run passed the memory limit of ${formatBytes(limitBytes)} (${parts.join(', ') || 'allocated'}); ` +
    'it was stopped and the runner restarted, earlier steps are kept (raise the limit with --memory-limit or the optimizerLab.memoryLimit setting)';
  return {
    kind: 'memory',
    message,
    ...(where.file !== undefined ? { file: where.file } : {}),
    ...(where.line !== undefined ? { line: where.line } : {}),
    memory: { limitBytes, ...use },
  };
}

/**
 * The parent's check of a child during a run: a memory error when its resident memory is past the limit and the
 * child is stuck (silent for `silentMs`), or far past it.
 */
export function childOverLimit(pid: number, limitBytes: number, where: ObjectiveWhere, silentMs: number): RunError | undefined {
  const rss = residentBytesOf(pid);
  const factor = silentMs >= SILENT_MS ? PARENT_KILL_FACTOR : PARENT_KILL_FACTOR_RESPONSIVE;
  if (rss === undefined || rss <= limitBytes * factor) return undefined;
  return memoryError(limitBytes, { rssBytes: rss }, where);
}

/** --max-old-space-size (MB): the client's heap limit, but never above the memory limit. */
export function heapLimitMb(maxOldSpaceMb: number, limitBytes: number): number {
  return Math.max(64, Math.min(maxOldSpaceMb, Math.floor(limitBytes / MB)));
}

/** Why a child exited unexpectedly, as its active run's error: past the memory limit (its own exit, or the heap's abort) or a crash. */
export function exitError(code: number | null, signal: NodeJS.Signals | null, heapMb: number, limitBytes: number, where: ObjectiveWhere): RunError {
  if (code === EXIT_OVER_MEMORY) return memoryError(limitBytes, {}, where);
  if (signal === 'SIGABRT' || code === 134) return memoryError(Math.min(limitBytes, heapMb * MB), { heapBytes: heapMb * MB }, where);
  const how = signal ? `signal ${signal}` : `code ${code}`;
  return { kind: 'runner-crash', message: `the runner process exited unexpectedly (${how}); it will be restarted` };
}
