/**
 * A run's schedule when it is a user's function (`scheduleFile`): the file compiled and loaded as
 * objective files are (esbuild, source maps, the runner's tfjs), the function picked by name, and
 * every failure in it said at the schedule file's line, with kind 'schedule'.
 */
import * as fs from 'node:fs';
import type * as tfType from '@tensorflow/tfjs';
import type { Schedule } from '../core/schedule';
import { userSchedule, type UserScheduleError } from '../core/schedules/userSchedule';
import type { RunError, ScheduleFile } from '../protocol/runner';
import { compileObjective, type CompiledObjective } from './compile';
import { loadBundle } from './loadBundle';
import { ruleInObjectiveFile } from './loadRule';
import { RunFailure, locateInStack, trimStack } from './runFailure';
import { discoverSchedules, pickSchedule } from './scheduleFunctions';

/** Where a schedule function lives: its error messages point here. */
export interface ScheduleSite {
  readonly name: string;
  readonly file: string;
  /** 1-based line of the declaration, when found. */
  readonly line?: number;
  /** Every user source file in its bundle (to find the user's frame in stacks). */
  readonly sources: readonly string[];
}

export interface LoadedSchedule {
  readonly site: ScheduleSite;
  /** FILE#NAME, the run's schedule as RunMeta and `--schedule` write it. */
  readonly spec: string;
  /** The schedule from the run's base lr. */
  create(baseLr: number): Schedule;
}

/** The objective's bundle, already loaded: a schedule in the same file (same text) shares it. */
export interface ObjectiveBundle {
  readonly compiled: CompiledObjective;
  readonly source: string | undefined;
  readonly exports: Record<string, unknown>;
}

/** A schedule file compiled before the run's engine scope opens; `load` inside it. */
export interface PendingSchedule {
  load(objective: ObjectiveBundle, tf: typeof tfType): LoadedSchedule;
}

function location(site: Pick<ScheduleSite, 'file' | 'line'>): Pick<RunError, 'file' | 'line'> {
  return site.line ? { file: site.file, line: site.line } : { file: site.file };
}

function readSource(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** What the schedule's own code threw, at the first frame in its sources (source-mapped), else at `fallback`. */
function thrownAt(e: unknown, sources: readonly string[], fallback: Pick<RunError, 'file' | 'line'>, message: string): RunFailure {
  const err = e instanceof Error ? e : undefined;
  const loc = locateInStack(err?.stack, sources);
  const stack = trimStack(err?.stack, sources);
  return new RunFailure({ kind: 'schedule', message, ...(loc ?? fallback), ...(stack ? { stack } : {}) });
}

function pick(ref: ScheduleFile, compiled: CompiledObjective, source: string | undefined, exports: Record<string, unknown>): LoadedSchedule {
  const text = source ?? readSource(compiled.file);
  const entry = pickSchedule(exports, discoverSchedules(exports, text), compiled.file, ref.name, text);
  const site: ScheduleSite = { name: entry.name, file: compiled.file, line: entry.line, sources: compiled.sources };
  const spec = `${compiled.file}#${entry.name}`;
  return {
    site,
    spec,
    create: (baseLr) => userSchedule(entry.fn, entry.form, entry.name, baseLr, spec),
  };
}

/**
 * Compiles the schedule's file unless it is the objective's own (same file and text: then the
 * objective's bundle is used, sharing its module state). Its syntax errors are kind 'schedule', at
 * its file:line:column.
 */
export async function prepareScheduleFile(ref: ScheduleFile, objectiveFile: string, objectiveText: string | undefined): Promise<PendingSchedule> {
  if (ruleInObjectiveFile(ref, objectiveFile, objectiveText)) {
    return { load: (o) => pick(ref, o.compiled, o.source, o.exports) };
  }
  // Said plainly: esbuild's 'Could not resolve' reads like an import problem. No file:line (there is no file to point at).
  if (ref.text === undefined && !fs.existsSync(ref.file)) throw new RunFailure({ kind: 'schedule', message: `schedule file not found: ${ref.file}` });
  let compiled: CompiledObjective;
  try {
    compiled = await compileObjective(ref.file, ref.text);
  } catch (e) {
    if (e instanceof RunFailure) throw new RunFailure({ ...e.error, kind: 'schedule' });
    throw e;
  }
  return {
    load: (_o, tf) => {
      let exports: Record<string, unknown>;
      try {
        exports = loadBundle(compiled, tf);
      } catch (e) {
        throw thrownAt(e, compiled.sources, { file: compiled.file }, `schedule file threw while loading: ${e instanceof Error ? e.message : String(e)}`);
      }
      return pick(ref, compiled, ref.text, exports);
    },
  };
}

/**
 * A schedule function failing at a step, for the user: what it threw is located by the throw's
 * stack (source-mapped to its file); an unusable value has no frame of its own, so it points at
 * the function's declaration.
 */
export function scheduleRunFailure(e: UserScheduleError, site: ScheduleSite): RunFailure {
  if (!e.threw) return new RunFailure({ kind: 'schedule', message: e.message, ...location(site) });
  return thrownAt(e.cause, site.sources, location(site), e.message);
}
