/**
 * The elementwise kernels WebAssembly loops can run, as loop IR: each mirrors
 * its JS template in elementwiseKernels.ts operation for operation (float64
 * arithmetic, the same comparisons and literals), so both give the same bits;
 * test/unit/core/compiled/elementwiseIR.test.ts checks every entry against
 * its template. Kernels missing here (transcendentals, integer ones) keep
 * their group of kernels in JS.
 */
import { bin, fr, lit, select, unary, type Expr } from '../wasm/loopIR';

type Attrs = Readonly<Record<string, unknown>>;
type IrTemplate = (args: readonly Expr[], attrs: Attrs) => Expr;

const num = (v: unknown, fallback = 0): Expr => lit(typeof v === 'number' ? v : fallback);
const ZERO = lit(0);
const ONE = lit(1);
const bool = (cmp: 'eq' | 'ne' | 'lt' | 'gt' | 'le' | 'ge') => ([a, b]: readonly Expr[]) => select(cmp, a, b, ONE, ZERO);

const TEMPLATES: Record<string, IrTemplate> = {
  Neg: ([x]) => unary('neg', x),
  Square: ([x]) => bin('mul', x, x),
  Sqrt: ([x]) => unary('sqrt', x),
  Rsqrt: ([x]) => bin('div', ONE, unary('sqrt', x)),
  Reciprocal: ([x]) => bin('div', ONE, x),
  Abs: ([x]) => unary('abs', x),
  Floor: ([x]) => unary('floor', x),
  Ceil: ([x]) => unary('ceil', x),
  Sign: ([x]) => select('gt', x, ZERO, ONE, select('lt', x, ZERO, lit(-1), ZERO)),
  Relu: ([x]) => select('lt', x, ZERO, ZERO, x),
  Relu6: ([x]) => select('lt', x, ZERO, ZERO, select('gt', x, lit(6), lit(6), x)),
  LeakyRelu: ([x], a) => select('lt', x, ZERO, bin('mul', num(a.alpha, 0.2), x), x),
  Step: ([x], a) => select('gt', x, ZERO, ONE, select('ne', x, x, x, num(a.alpha))),
  ClipByValue: ([x], a) => select('lt', x, num(a.clipValueMin), num(a.clipValueMin), select('gt', x, num(a.clipValueMax), num(a.clipValueMax), x)),
  IsNan: ([x]) => select('ne', x, x, ONE, ZERO),
  Add: ([a, b]) => bin('add', a, b),
  Sub: ([a, b]) => bin('sub', a, b),
  Multiply: ([a, b]) => bin('mul', a, b),
  RealDiv: ([a, b]) => bin('div', a, b),
  DivNoNan: ([a, b]) => select('eq', b, ZERO, ZERO, bin('div', a, b)),
  Maximum: ([a, b]) => bin('max', a, b),
  Minimum: ([a, b]) => bin('min', a, b),
  SquaredDifference: ([a, b]) => bin('mul', fr(bin('sub', a, b)), fr(bin('sub', a, b))),
  Prelu: ([a, b]) => select('lt', a, ZERO, bin('mul', b, a), a),
  EluGrad: ([dy, y]) => select('ge', y, ZERO, dy, bin('mul', dy, bin('add', y, ONE))),
  Greater: bool('gt'),
  GreaterEqual: bool('ge'),
  Less: bool('lt'),
  LessEqual: bool('le'),
  Equal: bool('eq'),
  NotEqual: bool('ne'),
  Select: ([c, a, b]) => select('ne', c, ZERO, a, b),
  AddN: (args) => args.slice(1).reduce((sum, x) => bin('add', sum, x), args[0]),
};

/** The kernel's value (before the float32 rounding the caller adds), or undefined when only JS runs it. */
export function elementwiseIR(kernel: string, args: readonly Expr[], attrs: Attrs, castTo?: unknown): Expr | undefined {
  if (kernel === 'Cast') return castTo === 'bool' ? select('ne', args[0], ZERO, ONE, ZERO) : undefined;
  return TEMPLATES[kernel]?.(args, attrs);
}
