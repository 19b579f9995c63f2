/**
 * Finds optimizer rules in a document's text without running it, so code
 * lenses and the dashboard's menu follow the user's typing: a `const` whose
 * initializer is an object literal with `init` and `update` at its top level
 * (src/core/rules/optimizerRule.ts is the contract). The runner decides for
 * real when the rule runs; this only places lenses and lists names.
 */
import { maskCode } from './maskCode';

export interface RuleSite {
  readonly name: string;
  /** 0-based line and column of the declaration (where the lenses go). */
  readonly line: number;
  readonly column: number;
  readonly exported: boolean;
  /** The `summary` string, when it is a plain literal. */
  readonly summary?: string;
  /** `defaults.lr`, when it is a plain number literal (the dashboard's lr slider starts there). */
  readonly defaultLr?: number;
  /** Why the runner will not use it, when that is visible in the text. */
  readonly problem?: string;
}

const IDENT = '[A-Za-z_$][\\w$]*';
const CONST_DECL = new RegExp(`(^|[;{}\\n])([ \\t]*)(export[ \\t]+)?(?:const|let|var)[ \\t]+(${IDENT})`, 'g');
const EXPORT_LIST = /export\s*\{([^}]*)\}/g;
const OPEN = new Set(['{', '[', '(']);
const CLOSE = new Set(['}', ']', ')']);

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, column: offset - (before.lastIndexOf('\n') + 1) };
}

/** Names exported through `export { a, b as c }` (local names). */
function listedExports(code: string): Set<string> {
  const names = new Set<string>();
  for (const m of code.matchAll(EXPORT_LIST)) {
    for (const part of m[1].split(',')) {
      const local = part.trim().split(/\s+as\s+/)[0]?.trim();
      if (local) names.add(local);
    }
  }
  return names;
}

/**
 * The offset of the `{` that starts the declaration's initializer, skipping a
 * type annotation (which may hold braces, generics and `=>`); -1 when the
 * initializer is not an object literal.
 */
function initializerObject(code: string, from: number): number {
  let depth = 0;
  for (let k = from; k < code.length; k++) {
    const c = code[k];
    if (c === '=' && code[k + 1] === '>') {
      k += 1; // an arrow in a function type, not the initializer
    } else if (c === '=' && depth === 0) {
      const rest = /^=\s*(\(\s*)?/.exec(code.slice(k, k + 200));
      const at = k + (rest?.[0].length ?? 1);
      return code[at] === '{' ? at : -1;
    } else if (OPEN.has(c) || c === '<') depth += 1;
    else if (CLOSE.has(c) || c === '>') depth -= 1;
    else if ((c === ';' || c === '\n') && depth === 0 && !/[:|&,<]\s*$/.test(code.slice(from, k))) return -1;
    if (depth < 0) return -1;
  }
  return -1;
}

/** Top-level keys of the object literal starting at `open`, with the offset of each value; the literal's end. */
function objectKeys(code: string, open: number): { keys: Map<string, number>; spread: boolean; end: number } {
  const keys = new Map<string, number>();
  let spread = false;
  let depth = 0;
  let expectKey = true;
  for (let k = open; k < code.length; k++) {
    const c = code[k];
    if (OPEN.has(c)) {
      depth += 1;
      if (depth === 1) expectKey = true;
      continue;
    }
    if (CLOSE.has(c)) {
      depth -= 1;
      if (depth === 0) return { keys, spread, end: k + 1 };
      continue;
    }
    if (depth !== 1) continue;
    if (c === ',') {
      expectKey = true;
      continue;
    }
    if (!expectKey || /\s/.test(c)) continue;
    expectKey = false;
    if (code.startsWith('...', k)) {
      spread = true;
      continue;
    }
    // `key:`, `key(` (a method), `key,` / `key}` (shorthand), `async key(`, `key?` in a type.
    const m = /^(?:async\s+)?([A-Za-z_$][\w$]*)\s*(?=[:(,}?<])/.exec(code.slice(k, k + 120));
    if (m) keys.set(m[1], k + m[0].length);
  }
  return { keys, spread, end: code.length };
}

/** A string literal or number literal value at `at` in the real text (masked code blanks strings). */
function literalAt(text: string, at: number): string | number | undefined {
  const m = /^\s*:\s*(?:'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)(?=\s*[,}\n]))/i.exec(text.slice(at, at + 400));
  if (!m) return undefined;
  if (m[3] !== undefined) return Number(m[3]);
  return (m[1] ?? m[2]).replace(/\\(.)/g, '$1');
}

/** `lr: <number>` inside the `defaults` object literal. */
function defaultLr(code: string, text: string, valueAt: number): number | undefined {
  const open = /^\s*:\s*\{/.exec(code.slice(valueAt, valueAt + 100));
  if (!open) return undefined;
  const start = valueAt + open[0].length - 1;
  const lr = objectKeys(code, start).keys.get('lr');
  const value = lr === undefined ? undefined : literalAt(text, lr);
  return typeof value === 'number' && value > 0 ? value : undefined;
}

function problemOf(name: string, exported: boolean, keys: Map<string, number>, spread: boolean): string | undefined {
  if (!exported) return `'${name}' is not exported: the runner only sees exported rules (add \`export\`)`;
  if (!spread && !keys.has('defaults')) return `'${name}' has no \`defaults\`: list every hyperparameter with its default, \`lr\` included`;
  return undefined;
}

export function findRules(text: string): RuleSite[] {
  const code = maskCode(text);
  const listed = listedExports(code);
  const sites: RuleSite[] = [];
  const seen = new Set<string>();
  for (const m of code.matchAll(CONST_DECL)) {
    const name = m[4];
    const declAt = (m.index ?? 0) + m[1].length + m[2].length;
    const open = initializerObject(code, (m.index ?? 0) + m[0].length);
    if (open < 0 || seen.has(name)) continue;
    const { keys, spread } = objectKeys(code, open);
    if (!keys.has('init') || !keys.has('update')) continue;
    seen.add(name);
    const exported = m[3] !== undefined || listed.has(name);
    const summary = keys.has('summary') ? literalAt(text, keys.get('summary') as number) : undefined;
    const lr = keys.has('defaults') ? defaultLr(code, text, keys.get('defaults') as number) : undefined;
    const problem = problemOf(name, exported, keys, spread);
    sites.push({
      name, ...lineColumn(text, declAt), exported,
      ...(typeof summary === 'string' ? { summary } : {}),
      ...(lr !== undefined ? { defaultLr: lr } : {}),
      ...(problem ? { problem } : {}),
    });
  }
  return sites.sort((a, b) => a.line - b.line || a.column - b.column);
}
