/**
 * Finds schedule functions in a document's text without running it, for the
 * dashboard's schedule list: an exported function (declaration or arrow
 * `const`) whose first parameter's name holds `step` (`step`, `_step`), taking one parameter
 * ((step) => factor, torch's LambdaLR) or two ((step, lr) => lr). A cheap
 * textual filter: the runner decides for real when the run starts (and names
 * the problem as a 'schedule' error).
 */
import type { ScheduleInfo } from '../protocol/runner';
import { maskCode } from './maskCode';

export type ScheduleSite = Required<Pick<ScheduleInfo, 'name' | 'line' | 'form'>>;

const IDENT = '[A-Za-z_$][\\w$]*';
/** `export function NAME(params` or `export const NAME[: type] = [async] (params` / `= step =>`. */
const DECLARATION = new RegExp(
  `(?:^|[;{}\\n])[ \\t]*export[ \\t]+(?:function[ \\t]*(${IDENT})[ \\t]*(?:<[^>]*>)?\\(([^)]*)\\)`
  + `|(?:const|let|var)[ \\t]+(${IDENT})[ \\t]*(?::[^=\\n]*)?=[ \\t]*(?:function\\b[^(]*)?(?:\\(([^)]*)\\)|(step)[ \\t]*=>))`,
  'g',
);

/** The parameter names of a parameter list, types and defaults dropped. */
function parameterNames(list: string): string[] {
  // Split at top-level commas only: a type like Record<string, number> holds one.
  const names: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of list) {
    if ('<([{'.includes(c)) depth++;
    else if ('>)]}'.includes(c)) depth--;
    if (c === ',' && depth === 0) {
      names.push(current);
      current = '';
    } else current += c;
  }
  if (current.trim() !== '') names.push(current);
  return names.map((p) => p.trim().split(/[\s:=?]/)[0] ?? '');
}

/** One plain step parameter: factor; `step, lr`: lr. Defaults are left out (the runner does not count them: Function.length). */
function formOf(list: string): ScheduleSite['form'] | undefined {
  const params = parameterNames(list);
  // `step`, `_step` (unused in the lr form), `stepIndex`: the name says it is a step.
  if (!/step/i.test(params[0] ?? '') || list.includes('=')) return undefined;
  if (params.length === 1) return 'factor';
  return params.length === 2 ? 'lr' : undefined;
}

/** The exported schedule functions of `text`, in source order (1-based lines). */
export function findSchedules(text: string): ScheduleSite[] {
  const code = maskCode(text);
  const found: ScheduleSite[] = [];
  for (const m of code.matchAll(DECLARATION)) {
    const name = m[1] ?? m[3];
    const params = m[2] ?? m[4] ?? m[5];
    const form = name !== undefined && params !== undefined ? formOf(params) : undefined;
    if (!name || !form) continue;
    const start = (m.index ?? 0) + (m[0].startsWith('\n') ? 1 : 0);
    found.push({ name, form, line: code.slice(0, start).split('\n').length });
  }
  return found;
}
