/**
 * A fused loop as JS (code generation, stage 4 of compileProgram): locals are
 * `const`s rounded with fr (Math.fround) as the float32 kernels round,
 * accumulators are float64 `let`s declared before the loop.
 */
import { INITIAL, type Expr, type Read, type ReduceOp } from '../wasm/loopIR';
import { elementwiseJs } from './elementwiseKernels';
import { SQUARED_NORMS, type JsNames } from './jsNames';
import { jsLiteral } from './printJs';
import type { Loop, LoopOp, TargetIndex } from './schedule';

interface Lines {
  readonly hoisted: string[];
  readonly body: string[];
  readonly post: string[];
}

export function jsLoop(loop: Loop, names: JsNames): string {
  const lines: Lines = { hoisted: [], body: [], post: [] };
  for (const op of loop.ops) writeOp(op, names, lines);
  return `{\n${lines.hoisted.join('\n')}\nfor (let i = 0; i < ${loop.size}; i++) {\n${lines.body.join('\n')}\n}\n${lines.post.join('\n')}\n}`;
}

/** `buffer[i] = value` for every i, as one loop. */
export function jsCopy(buf: number, size: number, value: Expr, names: JsNames): string {
  const hoisted: string[] = [];
  const js = operandJs(value, names, hoisted);
  return `{\n${hoisted.join('\n')}\nfor (let i = 0; i < ${size}; i++) ${names.buffer(buf)}[i] = ${js};\n}`;
}

const combine = (op: ReduceOp, acc: string, value: string): string =>
  ({ max: `${acc} = Math.max(${acc}, ${value});`, min: `${acc} = Math.min(${acc}, ${value});`, prod: `${acc} *= ${value};`, sum: `${acc} += ${value};` })[op];

function writeOp(op: LoopOp, names: JsNames, lines: Lines): void {
  const operand = (e: Expr) => operandJs(e, names, lines.hoisted);
  switch (op.kind) {
    case 'elementwise': {
      const js = elementwiseJs(op.kernel, op.args.map(operand), op.attrs);
      lines.body.push(`const ${names.local(op.local)} = fr(${op.int32 ? `(${js}) | 0` : js});`);
      return;
    }
    case 'gather':
      lines.body.push(`const ${names.local(op.local)} = ${names.buffer(op.table)}[${names.map(op.rowStarts)}[i] + (${operand(op.index)}) * ${op.rowSize}];`);
      return;
    case 'oneHot':
      lines.body.push(`const ${names.local(op.local)} = (${operand(op.index)} === i % ${op.depth} ? ${jsLiteral(op.on)} : ${jsLiteral(op.off)});`);
      return;
    case 'store':
      lines.body.push(`${names.buffer(op.buf)}[i] = ${names.local(op.local)};`);
      return;
    case 'sumSquares': {
      const acc = names.fresh('q');
      const local = names.local(op.local);
      lines.hoisted.push(`let ${acc} = 0;`);
      lines.body.push(`${acc} += ${local} * ${local};`);
      lines.post.push(`${SQUARED_NORMS}[${op.slot}] = ${acc};`);
      return;
    }
    default:
      writeReduction(op, names, lines, operand(op.value));
  }
}

function writeReduction(op: LoopOp & { kind: 'reduceAll' | 'reduceRows' | 'scatterAdd' }, names: JsNames, lines: Lines, value: string): void {
  const b = names.buffer(op.buf);
  if (op.kind === 'reduceAll') {
    const acc = names.fresh('a');
    lines.hoisted.push(`let ${acc} = ${jsLiteral(INITIAL[op.op])};`);
    lines.body.push(combine(op.op, acc, value));
    lines.post.push(`${b}[0] = ${op.divideBy === undefined ? acc : `${acc} / ${op.divideBy}`};`);
    return;
  }
  const at = targetJs(op.at, names, lines.hoisted);
  if (op.kind === 'reduceRows') {
    lines.hoisted.push(`${b}.fill(${jsLiteral(INITIAL[op.op])});`);
    lines.body.push(combine(op.op, `${b}[${at}]`, value));
    if (op.divideBy !== undefined) lines.post.push(`for (let j = 0; j < ${op.rows}; j++) ${b}[j] /= ${op.divideBy};`);
  } else {
    lines.hoisted.push(`${b}.fill(0);`);
    lines.body.push(`${b}[${at}] += ${value};`);
  }
}

function targetJs(at: TargetIndex, names: JsNames, hoisted: string[]): string {
  switch (at.kind) {
    case 'divide':
      return `(i / ${at.d}) | 0`;
    case 'modulo':
      return `i % ${at.m}`;
    case 'map':
      return `${names.map(at.map)}[i]`;
    case 'row':
      return `(${operandJs(at.row, names, hoisted)}) * ${at.rowSize} + i % ${at.rowSize}`;
  }
}

/** An operand (literal, local or buffer read) as JS in the loop over i; reads of one element are hoisted before the loop. */
function operandJs(e: Expr, names: JsNames, hoisted: string[]): string {
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
