/**
 * A LoopIR as a plain-JS function: the other form of a loop described once as
 * loop IR, for engines without WebAssembly SIMD (the Krylov basis's loops,
 * ../curvature/krylovLoops.ts). The IR's semantics are JavaScript's (float64
 * arithmetic, `fr` = Math.fround, a Float32Array store rounds), so this
 * computes what emitLoop's WebAssembly computes, bit for bit, except the order
 * in which sums accumulate (one running sum here, four partial sums there).
 */
import { INITIAL, operandsOf, type Expr, type LoopIR, type Read, type ReduceOp } from '../wasm/loopIR';
import { exprJs, jsLiteral } from './printJs';

/** The loop's buffers by IR id (a map of a general read is an Int32Array). */
export type LoopBuffers = Readonly<Record<number, Float32Array | Int32Array>>;
/** Scalars, then the movable buffers' offsets; the 'return' accumulators' values (an array when several). */
export type JsLoopFunction = (...args: number[]) => number | number[] | undefined;

const buffer = (id: number) => `b${id}`;

/** The body of `(buffers, fr) => loop function`: binds buffers b0…, returns (p0…, o0…) => …. */
export function loopJs(ir: LoopIR): string {
  const movable = ir.movable ?? [];
  const offsets = new Map(movable.map((buf, k) => [buf, `o${k}`]));
  // Element `index` of buffer `buf`, shifted by the buffer's offset argument when it is movable.
  const at = (buf: number, index: string) => (offsets.has(buf) ? `${offsets.get(buf)} + ${index}` : index);
  const element = (buf: number, index: string) => `${buffer(buf)}[${at(buf, index)}]`;
  const leaf = (e: Expr): string => {
    if (e.op === 'read') return readJs(e.buf, e.read, element);
    return e.op === 'local' ? `l${e.id}` : `p${(e as { index: number }).index}`;
  };
  const value = (e: Expr) => exprJs(e, leaf);
  const body = ir.body.map((s) => {
    if (s.op === 'let') return `const l${s.id} = ${value(s.value)};`;
    if (s.op === 'store') return `${element(s.buf, 'i')} = ${value(s.value)};`;
    return combine(ir.accumulators[s.acc].op, `acc${s.acc}`, value(s.value));
  });
  const results = ir.accumulators.flatMap((a, k) => (a.into === 'return' ? [`acc${k}`] : []));
  const after = ir.accumulators.flatMap((a, k) => {
    if (a.into === 'return') return [];
    return [`${element(a.into.buf, `${a.into.at}`)} = ${a.into.divideBy === undefined ? `acc${k}` : `acc${k} / ${jsLiteral(a.into.divideBy)}`};`];
  });
  const params = [...ir.scalars.map((_, k) => `p${k}`), ...movable.map((_, k) => `o${k}`)];
  const lines = [
    ...ir.accumulators.map((a, k) => `let acc${k} = ${jsLiteral(INITIAL[a.op])};`),
    `for (let i = 0; i < ${ir.size}; i++) {`,
    ...body.map((line) => `  ${line}`),
    '}',
    ...after,
    ...(results.length === 0 ? [] : [`return ${results.length === 1 ? results[0] : `[${results.join(', ')}]`};`]),
  ];
  return [
    ...[...buffersOf(ir)].map((id) => `const ${buffer(id)} = buffers[${id}];`),
    `return (${params.join(', ')}) => {`,
    ...lines.map((line) => `  ${line}`),
    '};',
  ].join('\n');
}

/** Compiles the loop's JS once; each call of the result binds it to buffers. */
export function compileLoopJs(ir: LoopIR): (buffers: LoopBuffers) => JsLoopFunction {
  const factory = new Function('buffers', 'fr', loopJs(ir)) as (buffers: LoopBuffers, fr: typeof Math.fround) => JsLoopFunction;
  return (buffers) => factory(buffers, Math.fround);
}

const combine = (op: ReduceOp, acc: string, value: string): string =>
  ({ max: `${acc} = Math.max(${acc}, ${value});`, min: `${acc} = Math.min(${acc}, ${value});`, prod: `${acc} *= ${value};`, sum: `${acc} += ${value};` })[op];

const shifted = (k: number) => (k === 0 ? 'i' : k < 0 ? `i - ${-k}` : `i + ${k}`);

function readJs(buf: number, read: Read, element: (buf: number, index: string) => string): string {
  switch (read.kind) {
    case 'constant':
      return element(buf, `${read.at}`);
    case 'offset':
      return element(buf, shifted(read.k));
    case 'modulo':
      return element(buf, read.k ? `(${read.k} + i % ${read.m})` : `i % ${read.m}`);
    case 'divide':
      return element(buf, `((i / ${read.d}) | 0)`);
    case 'window':
      return `(i >= ${read.lo} && i < ${read.hi} ? ${element(buf, shifted(read.k))} : ${jsLiteral(read.pad)})`;
    case 'general': {
      const index = element(read.map, 'i');
      return read.padded ? `(${index} >= 0 ? ${element(buf, index)} : ${jsLiteral(read.pad)})` : element(buf, index);
    }
  }
}

/** Every buffer id the loop reads, stores or accumulates into (maps included). */
function buffersOf(ir: LoopIR): Set<number> {
  const ids = new Set<number>(ir.movable ?? []);
  const visit = (e: Expr): void => {
    if (e.op === 'read') {
      ids.add(e.buf);
      if (e.read.kind === 'general') ids.add(e.read.map);
    }
    operandsOf(e).forEach(visit);
  };
  for (const s of ir.body) {
    if (s.op === 'store') ids.add(s.buf);
    visit(s.value);
  }
  for (const a of ir.accumulators) if (a.into !== 'return') ids.add(a.into.buf);
  return ids;
}
