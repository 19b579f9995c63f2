/**
 * Values of a loop that repeat with a period along i: every read in them is buf[k + i mod m] with one m
 * (or a constant-index read), as batch normalisation's per-channel scale / √(variance + ε) is. The plain-JS loop
 * computes them once per element; the vector loop (emitLoop.ts) can compute them once per block of four
 * channels instead: it runs m / 4 vectors per turn, the u-th always on channels 4u … 4u + 3 of the period,
 * each with its channels' values in locals computed before the loop. The values are the same instructions on
 * the same lanes, so the bits are the same; what goes is a float64 square root, division or Math call per
 * element (the slow instructions: only subexpressions holding one are taken). The loop's other reads of the
 * period go with them: the vector loop takes those it widens to float64 from locals too (a float64
 * expression's per-channel operands), a load and two conversions fewer per vector.
 */
import { operandsOf, type Expr, type LoopIR } from './loopIR';

/** The longest period taken: the loop body is emitted once per 4 channels of it. */
export const MAX_PERIOD = 32;

const SLOW = new Set(['sqrt', 'div', 'call']);

export interface PeriodicValues {
  /** m: the values repeat every m elements (a multiple of 4, at most MAX_PERIOD). */
  readonly period: number;
  /** The largest periodic subexpressions of the loop's statements that hold a slow instruction, by object. */
  readonly values: readonly Expr[];
  /** The reads buf[k + i mod period] outside those values, by object. */
  readonly reads: readonly Expr[];
}

/**
 * The loop's periodic values, when the vector loop can take them: no row reductions (their updates have a
 * lane order of their own), the vector range starting at a multiple of the period and holding at least one,
 * and all the values of one period. Undefined otherwise, or when there are none.
 */
export function periodicValues(ir: LoopIR, vectorStart: number, vectorEnd: number): PeriodicValues | undefined {
  if (ir.rowReductions?.length) return undefined;
  const found: { period: number; value: Expr }[] = [];
  const visit = (e: Expr): void => {
    const period = periodOf(e);
    if (period !== undefined && period > 0 && holdsSlow(e)) found.push({ period, value: e });
    else operandsOf(e).forEach(visit);
  };
  for (const statement of ir.body) visit(statement.value);
  if (found.length === 0) return undefined;
  const period = found[0].period;
  if (period % 4 !== 0 || period > MAX_PERIOD || vectorStart % period !== 0 || vectorEnd - vectorStart < period) return undefined;
  const values = found.filter((f) => f.period === period).map((f) => f.value);
  const taken = new Set(values);
  const reads: Expr[] = [];
  const collect = (e: Expr): void => {
    if (taken.has(e)) return;
    if (e.op === 'read' && e.read.kind === 'modulo' && e.read.m === period) reads.push(e);
    else operandsOf(e).forEach(collect);
  };
  for (const statement of ir.body) collect(statement.value);
  return { period, values, reads };
}

/**
 * m when every read in e is buf[k + i mod m] with this one m or constant-index, 0 when e reads nothing that
 * depends on i (a literal, a parameter), undefined when it depends on i otherwise (or on a local, whose
 * value may).
 */
function periodOf(e: Expr): number | undefined {
  if (e.op === 'local') return undefined;
  if (e.op === 'read') {
    if (e.read.kind === 'constant') return 0;
    return e.read.kind === 'modulo' ? e.read.m : undefined;
  }
  let period = 0;
  for (const operand of operandsOf(e)) {
    const p = periodOf(operand);
    if (p === undefined || (p !== 0 && period !== 0 && p !== period)) return undefined;
    if (p !== 0) period = p;
  }
  return period;
}

function holdsSlow(e: Expr): boolean {
  return SLOW.has(e.op) || operandsOf(e).some(holdsSlow);
}
