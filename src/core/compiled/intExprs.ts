/**
 * Integer kernels as loop IR, so their loops can run as WebAssembly: JS's ToInt32 (what `x | 0` and a
 * store into tfjs's Int32Array compute) written with floor, ceil, abs and selects in float64, and a
 * one-hot element as a comparison with i mod depth (read from a constant 0 … depth − 1). The JS form is
 * printed from the same IR, so both forms give the same bits.
 */
import { bin, lit, select, unary, type Comparison, type Expr } from '../wasm/loopIR';

const TWO_31 = 2 ** 31;
const TWO_32 = 2 ** 32;

/** Nodes of an expression (duplicated below: kept small so the loop's text stays small). */
function nodeCount(e: Expr): number {
  switch (e.op) {
    case 'lit': case 'scalar': case 'local': case 'read':
      return 1;
    case 'select':
      return 1 + nodeCount(e.test.a) + nodeCount(e.test.b) + nodeCount(e.a) + nodeCount(e.b);
    case 'call':
      return 1 + e.args.reduce((n, a) => n + nodeCount(a), 0);
    default:
      return 'b' in e ? 1 + nodeCount(e.a) + nodeCount(e.b) : 1 + nodeCount(e.a);
  }
}

/** Operands of ToInt32 that are copied into the expression (each appears 21 times). */
export const MAX_INT32_OPERAND_NODES = 5;

/** The operands of tfjs's Select kernel (condition 1 or 0, then, else) that pick `a` where `cmp(x, y)` holds, else `b`. */
const selectArgs = (cmp: Comparison, x: Expr, y: Expr, a: Expr, b: Expr): Expr[] => [select(cmp, x, y, lit(1), lit(0)), a, b];

/**
 * ToInt32(v) for any float64 v, exactly, as the Select kernel's operands: truncated toward zero (−0 is 0); NaN
 * and ±Infinity are 0; beyond ±2^31 taken modulo 2^32 into [−2^31, 2^31) (every step exact: t/2^32 and
 * 2^32·k are exact, and t − 2^32·k is an integer below 2^32, so the subtraction is exact). Undefined
 * when v is too large an expression to copy.
 */
export function toInt32Args(v: Expr): Expr[] | undefined {
  if (nodeCount(v) > MAX_INT32_OPERAND_NODES) return undefined;
  const t = select('lt', v, lit(0), unary('ceil', v), unary('floor', v));
  const y = bin('sub', t, bin('mul', lit(TWO_32), unary('floor', bin('div', t, lit(TWO_32)))));
  const wrapped = select('ge', y, lit(TWO_31), bin('sub', y, lit(TWO_32)), y);
  const finite = select('lt', unary('abs', t), lit(Infinity), wrapped, lit(0));
  // t + 0: −0 (from −0 or −0.5) becomes 0, as in JS's ToInt32.
  return selectArgs('lt', unary('abs', t), lit(TWO_31), bin('add', t, lit(0)), finite);
}

/** tf.oneHot's element as the Select kernel's operands: `on` where the row's index equals i mod depth (`position`), else `off`. */
export const oneHotArgs = (index: Expr, position: Expr, on: number, off: number): Expr[] => selectArgs('eq', index, position, lit(on), lit(off));
