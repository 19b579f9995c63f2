/**
 * A fused loop as loop IR for WebAssembly (code generation, stage 4 of
 * compileProgram), when every statement has an IR form; undefined when one
 * has none (a kernel only JS runs, an int32 result, a gather, a one-hot, a
 * scatter, a reduction into rows chosen at run time), and then the whole loop
 * runs in JS. Reductions into several elements (rows, columns, through a map)
 * are the IR's row reductions.
 */
import { fr, type Accumulator, type Expr, type LoopIR, type RowReduction, type RowTarget, type Stmt } from '../wasm/loopIR';
import { elementwiseIR } from './elementwiseIR';
import type { Loop, TargetIndex } from './schedule';

/** A reduction's target as the IR's (a map k of the schedule is IR buffer −(k + 1)); undefined for rows chosen at run time. */
function rowTarget(at: TargetIndex): RowTarget | undefined {
  if (at.kind === 'row') return undefined;
  return at.kind === 'map' ? { kind: 'map', map: -(at.map + 1) } : at;
}

export function wasmLoopIR(loop: Loop): LoopIR | undefined {
  const body: Stmt[] = [];
  const accumulators: Accumulator[] = [];
  const rowReductions: RowReduction[] = [];
  const local = (id: number): Expr => ({ op: 'local', id });
  for (const op of loop.ops) {
    switch (op.kind) {
      case 'elementwise': {
        const ir = op.int32 ? undefined : elementwiseIR(op.kernel, op.args, op.attrs, op.attrs.dtype);
        if (!ir) return undefined;
        body.push({ op: 'let', id: op.local, value: fr(ir) });
        break;
      }
      case 'store':
        body.push({ op: 'store', buf: op.buf, value: local(op.local) });
        break;
      case 'sumSquares':
        body.push({ op: 'reduce', acc: accumulators.length, value: { op: 'mul', a: local(op.local), b: local(op.local) } });
        accumulators.push({ op: 'sum', into: 'return' });
        break;
      case 'reduceAll':
        body.push({ op: 'reduce', acc: accumulators.length, value: op.value });
        accumulators.push({ op: op.op, into: { buf: op.buf, at: 0, ...(op.divideBy === undefined ? {} : { divideBy: op.divideBy }) } });
        break;
      case 'reduceRows': {
        const at = rowTarget(op.at);
        if (!at) return undefined;
        // The value as a local of the body, so its reads count where the vector loop may run (and constants are hoisted).
        const value = op.value.op === 'local' ? op.value : local(-(rowReductions.length + 1));
        if (value !== op.value) body.push({ op: 'let', id: -(rowReductions.length + 1), value: op.value });
        rowReductions.push({ op: op.op, buf: op.buf, at, value, rows: op.rows, ...(op.divideBy === undefined ? {} : { divideBy: op.divideBy }) });
        break;
      }
      default:
        return undefined;
    }
  }
  return { size: loop.size, scalars: [], body, accumulators, ...(rowReductions.length > 0 ? { rowReductions } : {}) };
}
