/**
 * A fused loop as JS (code generation, stage 4 of compileProgram): locals are
 * `const`s rounded with fr (Math.fround) as the float32 kernels round,
 * accumulators are float64 `let`s declared before the loop, and elements read
 * at one index are read once, before it.
 */
import { INITIAL, type Expr, type Read, type ReduceOp } from '../wasm/loopIR';
import { elementwiseJs } from './elementwiseKernels';
import { SQUARED_NORMS, type JsNames } from './jsNames';
import { exprJs, jsLiteral } from './printJs';
import type { Loop, LoopOp, TargetIndex } from './schedule';

interface Lines {
  /** Before the loop. */
  readonly before: string[];
  readonly body: string[];
  readonly after: string[];
}

const indent = (lines: readonly string[]) => lines.map((line) => `  ${line}`);

/** A block around `loop` (its `before` lines, the for statement, its `after` lines). */
function block(lines: Lines, size: number): string {
  const loop = lines.body.length === 1
    ? [`for (let i = 0; i < ${size}; i++) ${lines.body[0]}`]
    : [`for (let i = 0; i < ${size}; i++) {`, ...indent(lines.body), '}'];
  return ['{', ...indent([...lines.before, ...loop, ...lines.after]), '}'].join('\n');
}

export function jsLoop(loop: Loop, names: JsNames): string {
  const lines: Lines = { before: [], body: [], after: [] };
  for (const op of loop.ops) writeOp(op, names, lines);
  return block(lines, loop.size);
}

/** `buffer[i] = value` for every i, as one loop. */
export function jsCopy(buf: number, size: number, value: Expr, names: JsNames): string {
  const lines: Lines = { before: [], body: [], after: [] };
  lines.body.push(`${names.buffer(buf)}[i] = ${operandJs(value, names, lines.before)};`);
  return block(lines, size);
}

const combine = (op: ReduceOp, acc: string, value: string): string =>
  ({ max: `${acc} = Math.max(${acc}, ${value});`, min: `${acc} = Math.min(${acc}, ${value});`, prod: `${acc} *= ${value};`, sum: `${acc} += ${value};` })[op];

function writeOp(op: LoopOp, names: JsNames, lines: Lines): void {
  const operand = (e: Expr) => operandJs(e, names, lines.before);
  switch (op.kind) {
    case 'elementwise': {
      const js = elementwiseJs(op.kernel, op.args.map(operand), op.attrs);
      lines.body.push(`const ${names.defineLocal(op.local, op.kernel)} = fr(${op.int32 ? `(${js}) | 0` : js});`);
      return;
    }
    case 'gather': {
      const at = `${names.map(op.rowStarts)}[i] + (${operand(op.index)}) * ${op.rowSize}`;
      lines.body.push(`const ${names.defineLocal(op.local, 'gather')} = ${names.buffer(op.table)}[${at}];`);
      return;
    }
    case 'store':
      lines.body.push(`${names.buffer(op.buf)}[i] = ${names.local(op.local)};`);
      return;
    case 'sumSquares': {
      const sum = names.numbered('sumOfSquares');
      const local = names.local(op.local);
      lines.before.push(`let ${sum} = 0;`);
      lines.body.push(`${sum} += ${local} * ${local};`);
      lines.after.push(`${SQUARED_NORMS}[${op.slot}] = ${sum};`);
      return;
    }
    default:
      writeReduction(op, names, lines, operand(op.value));
  }
}

const ACCUMULATOR_NAMES: Record<ReduceOp, string> = { sum: 'sum', max: 'max', min: 'min', prod: 'product' };

function writeReduction(op: LoopOp & { kind: 'reduceAll' | 'reduceRows' | 'scatterAdd' }, names: JsNames, lines: Lines, value: string): void {
  const buffer = names.buffer(op.buf);
  if (op.kind === 'reduceAll') {
    const acc = names.numbered(ACCUMULATOR_NAMES[op.op]);
    lines.before.push(`let ${acc} = ${jsLiteral(INITIAL[op.op])};`);
    lines.body.push(combine(op.op, acc, value));
    lines.after.push(`${buffer}[0] = ${op.divideBy === undefined ? acc : `${acc} / ${op.divideBy}`};`);
    return;
  }
  const at = targetJs(op.at, names, lines.before);
  if (op.kind === 'reduceRows') {
    lines.before.push(`${buffer}.fill(${jsLiteral(INITIAL[op.op])});`);
    lines.body.push(combine(op.op, `${buffer}[${at}]`, value));
    if (op.divideBy !== undefined) lines.after.push(`for (let row = 0; row < ${op.rows}; row++) ${buffer}[row] /= ${op.divideBy};`);
  } else {
    lines.before.push(`${buffer}.fill(0);`);
    lines.body.push(`${buffer}[${at}] += ${value};`);
  }
}

function targetJs(at: TargetIndex, names: JsNames, before: string[]): string {
  switch (at.kind) {
    case 'divide':
      return `(i / ${at.d}) | 0`;
    case 'modulo':
      return `i % ${at.m}`;
    case 'map':
      return `${names.map(at.map)}[i]`;
    case 'row':
      return `(${operandJs(at.row, names, before)}) * ${at.rowSize} + i % ${at.rowSize}`;
  }
}

/**
 * An operand as JS in the loop over i: a literal, a local, a buffer read (a read of one element is hoisted
 * before the loop), or an expression of them (intExprs.ts's integer conversions), parenthesised.
 */
function operandJs(e: Expr, names: JsNames, before: string[]): string {
  switch (e.op) {
    case 'lit':
      return jsLiteral(e.value);
    case 'local':
      return names.local(e.id);
    case 'read':
      return readJs(e.buf, e.read, names, before);
    case 'scalar':
      throw new Error('a fused loop has no scalar parameters');
    default:
      return `(${exprJs(e, (leaf) => operandJs(leaf, names, before))})`;
  }
}

const shifted = (k: number) => (k === 0 ? 'i' : k < 0 ? `i - ${-k}` : `i + ${k}`);

function readJs(buf: number, read: Read, names: JsNames, before: string[]): string {
  const buffer = names.buffer(buf);
  switch (read.kind) {
    case 'constant': {
      const name = names.element(buf, read.at);
      const declaration = `const ${name} = ${buffer}[${read.at}];`;
      if (!before.includes(declaration)) before.push(declaration);
      return name;
    }
    case 'offset':
      return `${buffer}[${shifted(read.k)}]`;
    case 'modulo':
      return read.k ? `${buffer}[${read.k} + i % ${read.m}]` : `${buffer}[i % ${read.m}]`;
    case 'divide':
      return `${buffer}[(i / ${read.d}) | 0]`;
    case 'window':
      return `(i >= ${read.lo} && i < ${read.hi} ? ${buffer}[${shifted(read.k)}] : ${jsLiteral(read.pad)})`;
    case 'general': {
      const map = names.map(-read.map - 1);
      return read.padded ? `(${map}[i] >= 0 ? ${buffer}[${map}[i]] : ${jsLiteral(read.pad)})` : `${buffer}[${map}[i]]`;
    }
  }
}
