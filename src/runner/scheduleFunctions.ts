/**
 * The schedule functions a user's module exports (src/core/schedules/userSchedule.ts): an exported
 * function of one parameter, (step) => factor, or two, (step, lr) => lr, that is not an objective
 * (no `init` property), a class, or async, can be run by name; listed (and picked when the file has
 * only one) are those that also answer a number when tried at step 0 (step 1 and lr 1 for the lr
 * form), which leaves out helpers that take a tensor. Also the summaries the `list` answer carries.
 */
import { userScheduleForm, type UserScheduleForm } from '../core/schedules/userSchedule';
import type { ScheduleInfo } from '../protocol/runner';
import { declarationLine } from './objectives';
import { RunFailure } from './runFailure';

export type ScheduleFunction = (...args: number[]) => unknown;

export interface ScheduleEntry {
  readonly name: string;
  readonly fn: ScheduleFunction;
  readonly form: UserScheduleForm;
  /** 1-based line of the declaration, when found in the source. */
  readonly line?: number;
}

const FORMS = '(step) => factor or (step, lr) => lr';

/** Why an export cannot be a schedule function, or undefined when it can. */
function notASchedule(value: unknown): string | undefined {
  if (typeof value !== 'function') return 'it is not a function';
  if ('init' in value) return 'it is an objective (it has an `init` property)';
  const kind = (value as { constructor?: { name?: string } }).constructor?.name;
  if (kind === 'AsyncFunction' || kind === 'AsyncGeneratorFunction' || kind === 'GeneratorFunction') {
    return 'it is an async or generator function; a schedule returns a number';
  }
  if (/^class\b/.test(Function.prototype.toString.call(value))) return 'it is a class';
  if (userScheduleForm(value as ScheduleFunction) === undefined) {
    return `it declares ${(value as ScheduleFunction).length} parameters; a schedule is ${FORMS} (parameters with default values are not counted)`;
  }
  return undefined;
}

/** `export default` has no name to search for: its line is that of `export default`. */
function lineOf(source: string | undefined, name: string): number | undefined {
  if (name !== 'default') return declarationLine(source, name);
  const i = source?.split('\n').findIndex((l) => /^\s*export\s+default\b/.test(l)) ?? -1;
  return i >= 0 ? i + 1 : undefined;
}

/** Whether the function answers a number when tried (a schedule must be a pure function of its arguments). */
function answersNumber(fn: ScheduleFunction, form: UserScheduleForm): boolean {
  try {
    return typeof (form === 'factor' ? fn(0) : fn(1, 1)) === 'number';
  } catch {
    return false;
  }
}

function entryOf(exports: Record<string, unknown>, name: string, source: string | undefined): ScheduleEntry {
  const fn = exports[name] as ScheduleFunction;
  return { name, fn, form: userScheduleForm(fn) as UserScheduleForm, line: lineOf(source, name) };
}

/**
 * The module's schedule functions, in the file's order. Call inside an engine scope: trying a
 * helper that takes a tensor may make tensors.
 */
export function discoverSchedules(exports: Record<string, unknown>, source?: string): ScheduleEntry[] {
  return Object.keys(exports)
    .filter((name) => notASchedule(exports[name]) === undefined)
    .map((name) => entryOf(exports, name, source))
    .filter((e) => answersNumber(e.fn, e.form))
    // Bundles list exports alphabetically; the file's order is what the user wrote.
    .sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
}

/**
 * The schedule to run: the named export (which need only be shaped like one: a schedule that throws
 * is run, and its error names the step), or ('') the file's only one; otherwise a message listing
 * the schedules.
 */
export function pickSchedule(exports: Record<string, unknown>, entries: readonly ScheduleEntry[], file: string, name: string, source?: string): ScheduleEntry {
  const fail = (message: string): never => {
    throw new RunFailure({ kind: 'schedule', message, file });
  };
  const names = entries.map((e) => e.name).join(', ');
  if (name !== '') {
    if (Object.hasOwn(exports, name)) {
      const why = notASchedule(exports[name]);
      return why === undefined ? entryOf(exports, name, source) : fail(`export '${name}' of ${file} is not a schedule function: ${why}`);
    }
    return fail(`no schedule function named '${name}' in ${file}; schedule functions: ${names || '(none)'}`);
  }
  if (entries.length === 1) return entries[0];
  if (entries.length === 0) return fail(`no schedule function in ${file}: a schedule is an exported function ${FORMS}`);
  return fail(`${file} exports ${entries.length} schedule functions (${names}); choose one with ${file}#NAME`);
}

/** A summary per schedule function for `list`. */
export function describeSchedules(entries: readonly ScheduleEntry[]): ScheduleInfo[] {
  return entries.map(({ name, form, line }) => ({ name, form, ...(line ? { line } : {}) }));
}
