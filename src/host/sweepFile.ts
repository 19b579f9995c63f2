/**
 * Reads a sweep file (`optlab sweep --json`) for the dashboard: JSON checked
 * against the sweep schema, or a message naming the file and where it is wrong.
 * No vscode here, so it is tested directly.
 */
import { sweepResultSchema } from '../protocol/sweep';
import type { SweepViewMessage } from '../protocol/sweepView';

export type SweepFileResult = { ok: true; message: SweepViewMessage } | { ok: false; error: string };

/** 1-based line of a character offset in `text`. */
function lineAt(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

/** The line a JSON.parse error points at, when its message gives a position. */
function syntaxLine(text: string, error: Error): number | undefined {
  const line = /line (\d+)/.exec(error.message);
  if (line) return Number(line[1]);
  const position = /position (\d+)/.exec(error.message);
  return position ? lineAt(text, Number(position[1])) : undefined;
}

export function parseSweepFile(text: string, file: string): SweepFileResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const line = syntaxLine(text, e as Error);
    return { ok: false, error: `${file}${line !== undefined ? `:${line}` : ''}: not JSON (${(e as Error).message})` };
  }
  const parsed = sweepResultSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    return { ok: false, error: `${file}: not a sweep file from \`optlab sweep --json\`: ${where}: ${issue.message}` };
  }
  return { ok: true, message: { type: 'sweep', file, result: parsed.data } };
}
