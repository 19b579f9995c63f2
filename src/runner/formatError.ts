import * as path from 'node:path';
import type { RunError } from '../protocol/runner';

/** One line: `examples/f.ts:12:5: message` (the location when known). */
export function formatError(error: RunError, cwd = process.cwd()): string {
  const file = error.file ? path.relative(cwd, error.file) || error.file : undefined;
  const where = file ? `${file}${error.line ? `:${error.line}${error.column ? `:${error.column}` : ''}` : ''}: ` : '';
  return `${where}${error.message}`.replace(/\s*\n\s*/g, ' ');
}
