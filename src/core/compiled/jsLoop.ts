/**
 * A fused loop as JS (code generation, stage 4 of compileProgram): locals are
 * `const`s rounded with fr (Math.fround) as the float32 kernels round,
 * accumulators are float64 `let`s declared before the loop.
 */
import { INITIAL, type Expr, type ReduceOp } from '../wasm/loopIR';
import { castTemplate, elementwiseTemplate } from './elementwiseKernels';
import { SQUARED_NORMS, type JsNames } from './jsNames';
import { jsLiteral, operandJs } from './printJs';
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
      const template = op.kernel === 'Cast' ? castTemplate(op.attrs.dtype) : elementwiseTemplate(op.kernel);
      if (!template) throw new Error(`no JS form for ${op.kernel}`);
      const js = template(op.args.map(operand), op.attrs);
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
