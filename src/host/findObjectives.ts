/**
 * Finds objectives in a document's text without running it, so code lenses
 * follow the user's typing: a function or const that gets an `init` property
 * (`f.init = ...` or `Object.assign(f, { init: ... })`). The runner decides
 * for real; this only places lenses and flags what can be seen statically.
 */
import { maskCode } from './maskCode';

export interface ObjectiveSite {
  readonly name: string;
  /** 0-based line and column of the declaration (where the lenses go). */
  readonly line: number;
  readonly column: number;
  readonly exported: boolean;
  /** Why the runner will not run it, when that is visible in the text. */
  readonly problem?: string;
}

interface Declaration {
  readonly name: string;
  readonly offset: number;
  readonly exported: boolean;
}

const IDENT = '[A-Za-z_$][\\w$]*';
const DECLARATION = new RegExp(
  `(^|[;{}\\n])([ \\t]*)(export[ \\t]+)?(?:(?:async[ \\t]+)?function[ \\t]*\\*?[ \\t]*(${IDENT})|(?:const|let|var)[ \\t]+(${IDENT}))`,
  'g',
);
const INIT_ASSIGNMENT = new RegExp(`(?:^|[^.\\w$])(${IDENT})[ \\t]*\\.[ \\t]*init[ \\t]*=(?!=)`, 'g');
const OBJECT_ASSIGN = new RegExp(`Object\\.assign\\(\\s*(${IDENT})\\s*,\\s*\\{`, 'g');
const EXPORT_LIST = /export\s*\{([^}]*)\}/g;

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 0;
  let start = 0;
  for (let k = text.indexOf('\n'); k >= 0 && k < offset; k = text.indexOf('\n', k + 1)) {
    line += 1;
    start = k + 1;
  }
  return { line, column: offset - start };
}

/** Top-level-ish declarations in order (nested ones are found too; the first wins). */
function declarations(code: string): Map<string, Declaration> {
  const found = new Map<string, Declaration>();
  for (const m of code.matchAll(DECLARATION)) {
    const name = m[4] ?? m[5];
    if (found.has(name)) continue;
    const offset = (m.index ?? 0) + m[1].length + m[2].length;
    found.set(name, { name, offset, exported: m[3] !== undefined });
  }
  return found;
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

/** Names that get an `init` property, in order of first appearance. */
function initialisedNames(code: string): string[] {
  const names: string[] = [];
  const add = (name: string): void => {
    if (!names.includes(name)) names.push(name);
  };
  for (const m of code.matchAll(INIT_ASSIGNMENT)) add(m[1]);
  for (const m of code.matchAll(OBJECT_ASSIGN)) {
    // The object literal up to its closing brace (no nesting needed for a key test at depth 0).
    const start = (m.index ?? 0) + m[0].length;
    let depth = 1;
    let k = start;
    let hasInit = false;
    while (k < code.length && depth > 0) {
      const c = code[k];
      if (c === '{' || c === '[' || c === '(') depth += 1;
      else if (c === '}' || c === ']' || c === ')') depth -= 1;
      else if (depth === 1 && /[\s,{]/.test(code[k - 1] ?? ' ') && code.startsWith('init', k) && /^init\s*[:,}]/.test(code.slice(k, k + 40))) hasInit = true;
      k += 1;
    }
    if (hasInit) add(m[1]);
  }
  return names;
}

export function findObjectives(text: string): ObjectiveSite[] {
  const code = maskCode(text);
  const decls = declarations(code);
  const listed = listedExports(code);
  const sites: ObjectiveSite[] = [];
  for (const name of initialisedNames(code)) {
    const decl = decls.get(name);
    if (!decl) continue; // e.g. an imported function: it is not declared here
    const exported = decl.exported || listed.has(name);
    const { line, column } = lineColumn(text, decl.offset);
    sites.push({
      name, line, column, exported,
      ...(exported ? {} : { problem: `'${name}' is not exported: the runner only sees exported functions (add \`export\`)` }),
    });
  }
  return sites.sort((a, b) => a.line - b.line || a.column - b.column);
}
