/**
 * The elementwise kernels, defined once as loop IR: WebAssembly loops run
 * this form, and elementwiseKernels.ts prints the JS form from it
 * (printJs.ts), so both give the same bits by construction (JS semantics:
 * float64 arithmetic, `fr` rounds to float32). A new entry here is tested by
 * test/unit/core/compiled/elementwiseIR.test.ts automatically (the printed JS
 * against the IR, interpreted and as WebAssembly, on special values).
 * Kernels missing here (expm1, log1p and the hyperbolic functions but tanh,
 * which V8 calls from WebAssembly only through JS, slower than a JS loop,
 * and tf.mod) are elementwiseKernels.ts's JS_ONLY, and keep their loop in JS.
 */
import { MATH_ARITY, bin, call, fr, lit, select, unary, type Expr, type MathFunction } from '../wasm/loopIR';

type Attrs = Readonly<Record<string, unknown>>;
type IrTemplate = (args: readonly Expr[], attrs: Attrs) => Expr;

const num = (v: unknown, fallback = 0): Expr => lit(typeof v === 'number' ? v : fallback);
const ZERO = lit(0);
const ONE = lit(1);
const bool = (cmp: 'eq' | 'ne' | 'lt' | 'gt' | 'le' | 'ge') => ([a, b]: readonly Expr[]) => select(cmp, a, b, ONE, ZERO);

/** x·1 is x: a broadcast per-channel value times a tensor of ones (batch norm's gradient) costs no multiplication. */
const isLiteral = (e: Expr, value: number): boolean => e.op === 'lit' && Object.is(e.value, value);

/**
 * Whether v is a power of two whose reciprocal is a normal float32: then a/v and a·(1/v) are the same number (the
 * exact a·2⁻ᵏ rounded once, in float32 or in float64 then rounded), and a multiplication costs a fraction of a
 * division (a mean's gradient divides every element by the count).
 */
function hasExactReciprocal(v: number): boolean {
  const r = 1 / v;
  return Number.isFinite(v) && v !== 0 && Math.fround(v) === v && Math.fround(r) === r && Math.abs(v) >= 2 ** -126 && Math.abs(r) >= 2 ** -126 && Number.isInteger(Math.log2(Math.abs(v)));
}

const math = (fn: MathFunction): IrTemplate => (args) => call(fn, ...args.slice(0, MATH_ARITY[fn]));
const abs = (x: Expr) => unary('abs', x);

const TEMPLATES: Record<string, IrTemplate> = {
  Exp: math('exp'),
  Log: math('log'),
  Sin: math('sin'),
  Cos: math('cos'),
  Tan: math('tan'),
  Tanh: math('tanh'),
  Asin: math('asin'),
  Acos: math('acos'),
  Atan: math('atan'),
  Pow: math('pow'),
  Atan2: math('atan2'),
  Sigmoid: ([x]) => bin('div', ONE, bin('add', ONE, call('exp', unary('neg', x)))),
  // Number.isFinite(x) ⇔ x − x is 0 (NaN for NaN and ±Infinity).
  IsFinite: ([x]) => select('eq', bin('sub', x, x), ZERO, ONE, ZERO),
  IsInf: ([x]) => select('eq', abs(x), lit(Infinity), ONE, ZERO),
  LogicalNot: ([x]) => select('eq', x, ZERO, ONE, ZERO),
  LogicalAnd: ([a, b]) => select('ne', a, ZERO, select('ne', b, ZERO, ONE, ZERO), ZERO),
  LogicalOr: ([a, b]) => select('ne', a, ZERO, ONE, select('ne', b, ZERO, ONE, ZERO)),
  FloorDiv: ([a, b]) => unary('floor', bin('div', a, b)),
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
  Multiply: ([a, b]) => (isLiteral(b, 1) ? a : isLiteral(a, 1) ? b : bin('mul', a, b)),
  RealDiv: ([a, b]) => (b.op === 'lit' && hasExactReciprocal(b.value) ? bin('mul', a, lit(1 / b.value)) : bin('div', a, b)),
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
  // tf.batchNorm's kernel (batchNormLoop.ts orders the operands; a missing offset is 0, scale 1), in float32:
  // offset + (x − mean)·k with k = scale / √(variance + ε), one value per channel (batchNormLoop.ts says why).
  FusedBatchNorm: ([x, mean, variance, offset, scale], a) => {
    const k = fr(bin('div', scale, fr(unary('sqrt', fr(bin('add', variance, num(a.varianceEpsilon, 0.001)))))));
    return bin('add', offset, fr(bin('mul', fr(bin('sub', x, mean)), k)));
  },
  AddN: (args) => args.slice(1).reduce((sum, x) => bin('add', sum, x), args[0]),
};

export function hasElementwiseIR(kernel: string): boolean {
  return Object.hasOwn(TEMPLATES, kernel);
}

/** The kernel's value (before the float32 rounding the caller adds), or undefined when only JS runs it. */
export function elementwiseIR(kernel: string, args: readonly Expr[], attrs: Attrs, castTo?: unknown): Expr | undefined {
  if (kernel === 'Cast') return castTo === 'bool' ? select('ne', args[0], ZERO, ONE, ZERO) : undefined;
  return hasElementwiseIR(kernel) ? TEMPLATES[kernel](args, attrs) : undefined;
}
