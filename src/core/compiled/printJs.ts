/**
 * Loop IR expressions printed as JS (code generation): the JS form of every
 * elementwise kernel that has an IR form is printed from it, so the two forms
 * cannot drift apart. The IR's semantics are JavaScript's (float64
 * arithmetic, `fr` = Math.fround), so the printed expression computes the
 * same bits the IR does in WebAssembly. Parentheses only where JS precedence
 * needs them.
 */
import type { Comparison, Expr } from '../wasm/loopIR';

/** A number as JS source that evaluates to exactly it (−0 included). */
export const jsLiteral = (x: number): string =>
  Number.isNaN(x) ? 'NaN' : x === Infinity ? 'Infinity' : x === -Infinity ? '-Infinity' : Object.is(x, -0) ? '-0' : `${x}`;

/** JS operator precedence (higher binds tighter). */
const ATOM = 20;
const UNARY = 14;
const MULTIPLICATIVE = 12;
const ADDITIVE = 11;
const RELATIONAL = 9;
const EQUALITY = 8;
const CONDITIONAL = 2;

const ARITHMETIC: Readonly<Record<string, readonly [string, number]>> = {
  add: ['+', ADDITIVE], sub: ['-', ADDITIVE], mul: ['*', MULTIPLICATIVE], div: ['/', MULTIPLICATIVE],
};
const COMPARISONS: Readonly<Record<Comparison, readonly [string, number]>> = {
  eq: ['===', EQUALITY], ne: ['!==', EQUALITY], lt: ['<', RELATIONAL], gt: ['>', RELATIONAL], le: ['<=', RELATIONAL], ge: ['>=', RELATIONAL],
};

interface Printed {
  readonly js: string;
  readonly precedence: number;
}

/**
 * `e` as a JS expression; `leaf` prints its operands (reads, locals, and the `scalar` placeholders
 * of elementwiseTemplate). A leaf or literal starting with a minus sign binds as a unary minus.
 */
export function exprJs(e: Expr, leaf: (e: Expr) => string): string {
  return print(e, leaf).js;
}

function print(e: Expr, leaf: (e: Expr) => string): Printed {
  const at = (x: Expr, min: number) => {
    const printed = print(x, leaf);
    return printed.precedence >= min ? printed.js : `(${printed.js})`;
  };
  const all = (xs: readonly Expr[]) => xs.map((x) => print(x, leaf).js).join(', ');
  switch (e.op) {
    case 'lit':
    case 'read':
    case 'local':
    case 'scalar': {
      const js = e.op === 'lit' ? jsLiteral(e.value) : leaf(e);
      return { js, precedence: js.startsWith('-') ? UNARY : ATOM };
    }
    case 'fr':
      return { js: `fr(${all([e.a])})`, precedence: ATOM };
    case 'call':
      return { js: `Math.${e.fn}(${all(e.args)})`, precedence: ATOM };
    case 'neg':
      // -(-0), not --0 (a decrement).
      return { js: `-${at(e.a, ATOM)}`, precedence: UNARY };
    case 'select': {
      const [operator, precedence] = COMPARISONS[e.test.cmp];
      const test = `${at(e.test.a, precedence)} ${operator} ${at(e.test.b, precedence + 1)}`;
      return { js: `${test} ? ${at(e.a, CONDITIONAL + 1)} : ${at(e.b, CONDITIONAL)}`, precedence: CONDITIONAL };
    }
    case 'add':
    case 'sub':
    case 'mul':
    case 'div': {
      const [operator, precedence] = ARITHMETIC[e.op];
      return { js: `${at(e.a, precedence)} ${operator} ${at(e.b, precedence + 1)}`, precedence };
    }
    case 'min':
    case 'max':
      return { js: `Math.${e.op}(${all([e.a, e.b])})`, precedence: ATOM };
    default:
      return { js: `Math.${e.op}(${all([e.a])})`, precedence: ATOM };
  }
}
