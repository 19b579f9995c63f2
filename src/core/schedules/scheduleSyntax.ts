import { ScheduleError } from './scheduleError';

/**
 * A schedule spec as written, before any name or value is checked:
 *   leaf        name[:key=value,...]
 *   chain       A*B*...                      torch ChainedScheduler of single schedules
 *   warmup      warmup[:...]+SPEC            SPEC is everything after the '+'
 *   sequential  sequential:milestones=m1;...;mn+P0+P1+...+Pn
 * '*' binds tighter than '+' (as in arithmetic: a chain is one phase), and parentheses group:
 * a warmup or sequential phase that is not the last must be parenthesised, since a warmup takes
 * everything after it.
 */
export type ScheduleNode =
  | { readonly type: 'leaf'; readonly name: string; readonly args: string }
  | { readonly type: 'chain'; readonly members: readonly ScheduleNode[] }
  | { readonly type: 'warmup'; readonly args: string; readonly after?: ScheduleNode }
  | { readonly type: 'sequential'; readonly args: string; readonly phases: readonly ScheduleNode[] };

/** How many milestones a sequential's argument text gives (so how many phases follow); the builder checks the values. */
export type MilestoneCounter = (args: string) => number;

/**
 * Splits `text` at `sep` outside parentheses. A '+' splits only where a schedule follows it (a
 * letter or '('), so the '+' in 1e+5 stays part of its number.
 */
function splitTop(text: string, sep: '+' | '*'): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth += 1;
    else if (c === ')') depth -= 1;
    if (depth < 0) throw new ScheduleError(`unbalanced ')' in schedule '${text}'`);
    if (c === sep && depth === 0 && (sep === '*' || /^\s*[A-Za-z(]/.test(text.slice(i + 1)))) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (depth !== 0) throw new ScheduleError(`unbalanced '(' in schedule '${text}'`);
  parts.push(text.slice(start).trim());
  return parts;
}

/** Whether `text` is one parenthesised group, '(...)' with the first '(' closed by the last ')'. */
function isGroup(text: string): boolean {
  if (!text.startsWith('(') || !text.endsWith(')')) return false;
  let depth = 0;
  for (let i = 0; i < text.length - 1; i++) {
    depth += text[i] === '(' ? 1 : text[i] === ')' ? -1 : 0;
    if (depth === 0) return false;
  }
  return true;
}

class SyntaxReader {
  constructor(private readonly milestones: MilestoneCounter) {}

  spec(text: string): ScheduleNode {
    const items = splitTop(text, '+');
    const [node, used] = this.items(items, 0);
    if (used < items.length && node.type === 'sequential') {
      const count = node.phases.length;
      throw new ScheduleError(
        `'${items[0]}' takes ${count} phase${count > 1 ? 's' : ''} (one more than its milestones); '+${items.slice(used).join('+')}' is more than that`,
      );
    }
    if (used < items.length) {
      const head = items[used - 1];
      throw new ScheduleError(
        `only warmup and sequential can be followed by '+<schedule>' ('${head}' was followed by '+${items.slice(used).join('+')}')`,
      );
    }
    return node;
  }

  /** The node starting at items[at], and the index after the items it takes. */
  private items(items: readonly string[], at: number): [ScheduleNode, number] {
    const members = splitTop(items[at], '*');
    if (members.length > 1) return [{ type: 'chain', members: members.map((m) => this.atom(m, items[at])) }, at + 1];
    const node = this.atom(members[0], items[at]);
    if (node.type === 'warmup' && !isGroup(items[at]) && at + 1 < items.length) {
      return [{ ...node, after: this.items(items, at + 1)[0] }, items.length];
    }
    if (node.type !== 'sequential' || node.phases.length > 0) return [node, at + 1];
    const count = this.milestones(node.args) + 1;
    const phases: ScheduleNode[] = [];
    let next = at + 1;
    while (phases.length < count && next < items.length) {
      const [phase, after] = this.items(items, next);
      phases.push(phase);
      next = after;
    }
    if (phases.length < count) {
      throw new ScheduleError(
        `'${items[at]}' needs ${count} phase${count > 1 ? 's' : ''} after it (one more than its milestones), got ${phases.length}` +
          ' (a warmup or sequential phase that is not the last goes in parentheses)',
      );
    }
    return [{ ...node, phases }, next];
  }

  private atom(text: string, within: string): ScheduleNode {
    if (isGroup(text)) return this.spec(text.slice(1, -1).trim());
    if (text === '' && within !== '') throw new ScheduleError(`empty schedule in '${within}'`);
    if (/[()]/.test(text)) throw new ScheduleError(`misplaced parenthesis in schedule '${text}'`);
    const colon = text.indexOf(':');
    const name = (colon < 0 ? text : text.slice(0, colon)).trim() || 'constant';
    const args = colon < 0 ? '' : text.slice(colon + 1).trim();
    if (name === 'warmup') return { type: 'warmup', args };
    if (name === 'sequential') return { type: 'sequential', args, phases: [] };
    return { type: 'leaf', name, args };
  }
}

/** Reads a spec's structure; `milestones` counts a sequential's milestones (its phases are one more). */
export function readScheduleSyntax(text: string, milestones: MilestoneCounter): ScheduleNode {
  return new SyntaxReader(milestones).spec(text);
}
