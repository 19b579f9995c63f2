/**
 * Maps a runner error (1-based line and column in the user's file) to a
 * 0-based range in the document for the Problems panel: from the column to
 * the end of the token there, or the line's text when no column is known.
 */
import type { RunError } from '../protocol/runner';

export interface TextRange {
  readonly startLine: number;
  readonly startColumn: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export function errorRange(error: Pick<RunError, 'line' | 'column'>, lines: readonly string[]): TextRange {
  if (lines.length === 0) return { startLine: 0, startColumn: 0, endLine: 0, endColumn: 0 };
  const line = Math.min(Math.max((error.line ?? 1) - 1, 0), lines.length - 1);
  const text = lines[line];
  if (error.column === undefined) {
    const start = text.length - text.trimStart().length;
    return { startLine: line, startColumn: start, endLine: line, endColumn: Math.max(text.trimEnd().length, start) };
  }
  const start = Math.min(error.column - 1, text.length);
  // The identifier or number at the column; a single character otherwise; at least one column wide.
  const word = /^[\w$.]+/.exec(text.slice(start));
  const width = word ? word[0].length : Math.min(1, text.length - start);
  return { startLine: line, startColumn: start, endLine: line, endColumn: start + Math.max(width, start < text.length ? 1 : 0) };
}

/** Whether an error belongs in the Problems panel of `file` (it names the file and a line). */
export function errorInFile(error: RunError, file: string): boolean {
  return error.line !== undefined && (error.file === undefined || samePath(error.file, file));
}

function samePath(a: string, b: string): boolean {
  const norm = (p: string): string => p.replace(/\\/g, '/').replace(/^file:\/\//, '');
  return norm(a) === norm(b);
}
