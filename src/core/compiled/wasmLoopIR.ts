/**
 * A fused loop as loop IR for WebAssembly (code generation, stage 4 of
 * compileProgram), when every statement has an IR form; undefined when one
 * has none (a kernel only JS runs, an int32 result, a gather, a scatter or a
 * reduction into several elements), and then the whole loop runs in JS.
 */
import { fr, type Accumulator, type Expr, type LoopIR, type Stmt } from '../wasm/loopIR';
import { elementwiseIR } from './elementwiseIR';
import type { Loop } from './schedule';

export function wasmLoopIR(loop: Loop): LoopIR | undefined {
  const body: Stmt[] = [];
  const accumulators: Accumulator[] = [];
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
      default:
        return undefined;
    }
  }
  return { size: loop.size, scalars: [], body, accumulators };
}
