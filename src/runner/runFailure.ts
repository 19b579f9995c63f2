import type { RunError } from '../protocol/runner';

/** An expected failure carrying the RunError the user sees (kind, message, file:line:col). */
export class RunFailure extends Error {
  readonly error: RunError;
  constructor(error: RunError) {
    super(error.message);
    this.name = 'RunFailure';
    this.error = error;
  }
}

export function fail(kind: RunError['kind'], message: string, extra: Partial<RunError> = {}): never {
  throw new RunFailure({ kind, message, ...extra });
}

/**
 * The first stack frame in `file` (stacks are source-mapped, so frames name the
 * user's .ts lines): `at fn (/abs/file.ts:12:5)` or `at /abs/file.ts:12:5`.
 */
export function locateInStack(stack: string | undefined, files: readonly string[]): { file: string; line: number; column: number } | undefined {
  if (!stack) return undefined;
  for (const raw of stack.split('\n').slice(1)) {
    const m = /\(?((?:file:\/\/)?[^\s()]+?):(\d+):(\d+)\)?\s*$/.exec(raw.trim());
    if (!m) continue;
    const file = m[1].replace(/^file:\/\//, '');
    if (files.includes(file)) return { file, line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}

/** Keeps the stack frames up to the runner's own code (the user does not need ours). */
export function trimStack(stack: string | undefined, files: readonly string[]): string | undefined {
  if (!stack) return undefined;
  const lines = stack.split('\n');
  let last = 0;
  lines.forEach((l, i) => {
    if (files.some((f) => l.includes(f))) last = i;
  });
  return last > 0 ? lines.slice(0, last + 1).join('\n') : stack;
}
