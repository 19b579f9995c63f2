/**
 * Finds a file's objectives, optimizer rules and schedule functions from TypeScript's own syntax
 * tree (a parse, no type checking), so comments, strings, type annotations and half-typed code are
 * read as the compiler reads them. Loaded only in the discovery worker (TypeScript is large).
 *
 * - objective: a declared function or const that gets an `init` property (`f.init = …` or
 *   `Object.assign(f, { init: … })`);
 * - rule: a const whose initializer is an object literal with `init` and `update` (the contract
 *   of src/core/rules/optimizerRule.ts);
 * - schedule: an exported synchronous function whose first parameter's name holds `step`, with
 *   one parameter (factor) or two (lr) and no defaults.
 */
import * as ts from 'typescript';
import type { ObjectiveSite, RuleSite, ScheduleSite, SourceSites } from './sites';

interface Declared {
  readonly name: string;
  /** The statement that declares it (its start, `export` included, is where lenses go). */
  readonly statement: ts.Statement;
  readonly exported: boolean;
  readonly initializer?: ts.Expression;
}

const hasExport = (node: ts.Node): boolean =>
  ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

/** Top-level declarations by name (the first wins), and the local names of `export { a, b as c }`. */
function topLevel(file: ts.SourceFile): { declared: Map<string, Declared>; listed: Set<string> } {
  const declared = new Map<string, Declared>();
  const listed = new Set<string>();
  const add = (d: Declared): void => {
    if (!declared.has(d.name)) declared.set(d.name, d);
  };
  for (const statement of file.statements) {
    if (ts.isFunctionDeclaration(statement) && statement.name) {
      add({ name: statement.name.text, statement, exported: hasExport(statement) });
    } else if (ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations) {
        if (ts.isIdentifier(d.name)) add({ name: d.name.text, statement, exported: hasExport(statement), ...(d.initializer ? { initializer: d.initializer } : {}) });
      }
    } else if (ts.isExportDeclaration(statement) && !statement.moduleSpecifier && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const e of statement.exportClause.elements) listed.add((e.propertyName ?? e.name).text);
    }
  }
  return { declared, listed };
}

/** The object literal under parentheses, `as` and `satisfies`, if that is what the expression is. */
function objectLiteral(expression: ts.Expression | undefined): ts.ObjectLiteralExpression | undefined {
  let e = expression;
  while (e && (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e))) e = e.expression;
  return e && ts.isObjectLiteralExpression(e) ? e : undefined;
}

function propertyName(p: ts.ObjectLiteralElementLike): string | undefined {
  return p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : undefined;
}

function property(object: ts.ObjectLiteralExpression, name: string): ts.ObjectLiteralElementLike | undefined {
  return object.properties.find((p) => propertyName(p) === name);
}

/** Names that get an `init` property anywhere in the file, in order of first appearance. */
function initialisedNames(file: ts.SourceFile): string[] {
  const names: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken
      && ts.isPropertyAccessExpression(node.left) && node.left.name.text === 'init' && ts.isIdentifier(node.left.expression)) {
      names.push(node.left.expression.text);
    } else if (ts.isCallExpression(node) && node.expression.getText(file) === 'Object.assign' && node.arguments.length >= 2 && ts.isIdentifier(node.arguments[0])) {
      const target = node.arguments[0].text;
      if (node.arguments.slice(1).some((a) => { const o = objectLiteral(a); return o !== undefined && property(o, 'init') !== undefined; })) names.push(target);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return [...new Set(names)];
}

function position(file: ts.SourceFile, statement: ts.Statement): { line: number; column: number } {
  const { line, character } = file.getLineAndCharacterOfPosition(statement.getStart(file));
  return { line, column: character };
}

const bySource = (a: { line: number; column: number }, b: { line: number; column: number }): number => a.line - b.line || a.column - b.column;

function objectives(file: ts.SourceFile, declared: Map<string, Declared>, listed: Set<string>): ObjectiveSite[] {
  const sites: ObjectiveSite[] = [];
  for (const name of initialisedNames(file)) {
    const decl = declared.get(name);
    if (!decl) continue; // e.g. an imported function: it is not declared here
    const exported = decl.exported || listed.has(name);
    sites.push({
      name, ...position(file, decl.statement), exported,
      ...(exported ? {} : { problem: `'${name}' is not exported: the runner only sees exported functions (add \`export\`)` }),
    });
  }
  return sites.sort(bySource);
}

/** The value of a `key: 'literal'` / `key: 1e-3` property (numbers may carry a sign). */
function literalValue(p: ts.ObjectLiteralElementLike | undefined): string | number | undefined {
  if (!p || !ts.isPropertyAssignment(p)) return undefined;
  const v = p.initializer;
  if (ts.isStringLiteral(v) || ts.isNoSubstitutionTemplateLiteral(v)) return v.text;
  if (ts.isNumericLiteral(v)) return Number(v.text);
  if (ts.isPrefixUnaryExpression(v) && ts.isNumericLiteral(v.operand)) {
    if (v.operator === ts.SyntaxKind.MinusToken) return -Number(v.operand.text);
    if (v.operator === ts.SyntaxKind.PlusToken) return Number(v.operand.text);
  }
  return undefined;
}

function ruleSite(file: ts.SourceFile, decl: Declared, listed: Set<string>, object: ts.ObjectLiteralExpression): RuleSite {
  const exported = decl.exported || listed.has(decl.name);
  const spread = object.properties.some(ts.isSpreadAssignment);
  const defaults = property(object, 'defaults');
  const defaultsObject = defaults && ts.isPropertyAssignment(defaults) ? objectLiteral(defaults.initializer) : undefined;
  const lr = defaultsObject ? literalValue(property(defaultsObject, 'lr')) : undefined;
  const summary = literalValue(property(object, 'summary'));
  const problem = !exported
    ? `'${decl.name}' is not exported: the runner only sees exported rules (add \`export\`)`
    : !spread && !defaults ? `'${decl.name}' has no \`defaults\`: list every hyperparameter with its default, \`lr\` included` : undefined;
  return {
    name: decl.name, ...position(file, decl.statement), exported,
    ...(typeof summary === 'string' ? { summary } : {}),
    ...(typeof lr === 'number' && lr > 0 ? { defaultLr: lr } : {}),
    ...(problem ? { problem } : {}),
  };
}

function rules(file: ts.SourceFile, declared: Map<string, Declared>, listed: Set<string>): RuleSite[] {
  const sites: RuleSite[] = [];
  for (const decl of declared.values()) {
    const object = objectLiteral(decl.initializer);
    if (object && property(object, 'init') && property(object, 'update')) sites.push(ruleSite(file, decl, listed, object));
  }
  return sites.sort(bySource);
}

/** factor for `(step)`, lr for `(step, lr)`; nothing for other shapes, defaults or async functions (Function.length would differ). */
function scheduleForm(fn: ts.SignatureDeclaration): ScheduleSite['form'] | undefined {
  const isAsync = (ts.getModifiers(fn as ts.HasModifiers) ?? []).some((m) => m.kind === ts.SyntaxKind.AsyncKeyword);
  const params = fn.parameters;
  const first = params[0]?.name;
  if (isAsync || !first || !ts.isIdentifier(first) || !/step/i.test(first.text) || params.some((p) => p.initializer || p.dotDotDotToken)) return undefined;
  return params.length === 1 ? 'factor' : params.length === 2 ? 'lr' : undefined;
}

function schedules(file: ts.SourceFile, declared: Map<string, Declared>, listed: Set<string>): ScheduleSite[] {
  const sites: (ScheduleSite & { column: number })[] = [];
  for (const decl of declared.values()) {
    if (!decl.exported && !listed.has(decl.name)) continue;
    const fn = ts.isFunctionDeclaration(decl.statement) ? decl.statement
      : decl.initializer && (ts.isArrowFunction(decl.initializer) || ts.isFunctionExpression(decl.initializer)) ? decl.initializer : undefined;
    const form = fn && scheduleForm(fn);
    if (!form) continue;
    const { line, column } = position(file, decl.statement);
    sites.push({ name: decl.name, form, line: line + 1, column });
  }
  return sites.sort(bySource).map(({ name, form, line }) => ({ name, form, line }));
}

/** Everything the host shows for one file's text; never throws on half-typed code. */
export function findSites(text: string): SourceSites {
  const file = ts.createSourceFile('source.ts', text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const { declared, listed } = topLevel(file);
  return { objectives: objectives(file, declared, listed), rules: rules(file, declared, listed), schedules: schedules(file, declared, listed) };
}
