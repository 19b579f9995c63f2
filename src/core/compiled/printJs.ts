/**
 * JS text for numbers and for operands of generated loops.
 */
import type { Expr, Read } from '../wasm/loopIR';
import type { JsNames } from './jsNames';

/** A number as JS source that evaluates to exactly it (−0 included). */
export const jsLiteral = (x: number): string =>
  Number.isNaN(x) ? 'NaN' : x === Infinity ? 'Infinity' : x === -Infinity ? '-Infinity' : Object.is(x, -0) ? '-0' : `${x}`;

/** An operand (literal, local or buffer read) as JS in the loop over i; reads of one element are hoisted before the loop. */
export function operandJs(e: Expr, names: JsNames, hoisted: string[]): string {
  switch (e.op) {
    case 'lit':
      return jsLiteral(e.value);
    case 'local':
      return names.local(e.id);
    case 'read':
      return readJs(e.buf, e.read, names, hoisted);
    default:
      throw new Error(`an operand is a literal, a local or a read, not ${e.op}`);
  }
}

function readJs(buf: number, read: Read, names: JsNames, hoisted: string[]): string {
  const b = names.buffer(buf);
  switch (read.kind) {
    case 'constant': {
      const name = names.fresh('h');
      hoisted.push(`const ${name} = ${b}[${read.at}];`);
      return name;
    }
    case 'offset':
      return read.k === 0 ? `${b}[i]` : `${b}[i + ${read.k}]`;
    case 'modulo':
      return `${b}[i % ${read.m}]`;
    case 'divide':
      return `${b}[(i / ${read.d}) | 0]`;
    case 'window':
      return `(i >= ${read.lo} && i < ${read.hi} ? ${b}[i + ${read.k}] : ${jsLiteral(read.pad)})`;
    case 'general': {
      const m = names.map(-read.map - 1);
      return read.padded ? `(${m}[i] >= 0 ? ${b}[${m}[i]] : ${jsLiteral(read.pad)})` : `${b}[${m}[i]]`;
    }
  }
}
