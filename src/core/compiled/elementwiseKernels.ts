/**
 * Elementwise TensorFlow.js kernels as JS expressions over already-read
 * operands (names or literals). Each kernel is defined once: a kernel with a
 * loop-IR form (elementwiseIR.ts, which WebAssembly also runs) is printed
 * from it (printJs.ts); only the kernels without one are written as JS here.
 * Every result is rounded to float32 by the caller (Math.fround), so the
 * plain-JS program overflows and loses precision where the float32 kernels
 * do. Booleans are 1/0.
 */
import type { Expr } from '../wasm/loopIR';
import { elementwiseIR, hasElementwiseIR } from './elementwiseIR';
import { exprJs, jsLiteral } from './printJs';

type Attrs = Readonly<Record<string, unknown>>;
export type Template = (args: readonly string[], attrs: Attrs) => string;

/**
 * Kernels with no IR form: Math functions V8 calls from WebAssembly only through JS (at half the
 * speed of a JS loop, see loopIR.MathFunction), and `%`, which WebAssembly lacks. Their loops stay in JS.
 */
const JS_ONLY: Readonly<Record<string, (x: string, y: string) => string>> = {
  Expm1: (x) => `Math.expm1(${x})`,
  Log1p: (x) => `Math.log1p(${x})`,
  Sinh: (x) => `Math.sinh(${x})`,
  Cosh: (x) => `Math.cosh(${x})`,
  Asinh: (x) => `Math.asinh(${x})`,
  Acosh: (x) => `Math.acosh(${x})`,
  Atanh: (x) => `Math.atanh(${x})`,
  Softplus: (x) => `(Math.log1p(Math.exp(-Math.abs(${x}))) + Math.max(${x}, 0))`,
  Elu: (x) => `(${x} > 0 ? ${x} : Math.expm1(${x}))`,
  Selu: (x) => `(${x} > 0 ? 1.0507009873554805 * ${x} : 1.7580993408473766 * Math.expm1(${x}))`,
  // tfjs's banker's rounding (cpu kernel): halves go to the even neighbour.
  Round: (x) => `(${x} - Math.floor(${x}) < 0.5 ? Math.floor(${x}) : ${x} - Math.floor(${x}) > 0.5 ? Math.ceil(${x}) : Math.floor(${x}) % 2 === 0 ? Math.floor(${x}) : Math.floor(${x}) + 1)`,
  // tfjs's erf (Abramowitz–Stegun 7.1.26, its constants), not an exact one.
  Erf: (x) =>
    `(Math.sign(${x}) * (1 - ((((1.061405429 * (1 / (1 + 0.3275911 * Math.abs(${x}))) - 1.453152027) * (1 / (1 + 0.3275911 * Math.abs(${x}))) + 1.421413741) * (1 / (1 + 0.3275911 * Math.abs(${x}))) - 0.284496736) * (1 / (1 + 0.3275911 * Math.abs(${x}))) + 0.254829592) * (1 / (1 + 0.3275911 * Math.abs(${x}))) * Math.exp(-Math.abs(${x}) * Math.abs(${x}))))`,
  // tf.mod: the remainder takes the divisor's sign (cpu kernel's rule).
  Mod: (a, b) => `((${a} < 0 && ${b} < 0) || (${a} >= 0 && ${b} >= 0) ? ${a} % ${b} : (${a} % ${b} + ${b}) % ${b})`,
};

/** Operand k of a printed kernel: a placeholder the printer replaces with args[k]. */
const placeholder = (index: number): Expr => ({ op: 'scalar', index });

/** The JS of an IR form, over operand texts. */
const printed = (ir: (args: readonly Expr[], attrs: Attrs) => Expr | undefined): Template => (args, attrs) => {
  const form = ir(args.map((_, k) => placeholder(k)), attrs);
  if (!form) throw new Error('no IR form');
  return exprJs(form, (leaf) => args[(leaf as { index: number }).index]);
};

export function elementwiseTemplate(kernel: string): Template | undefined {
  if (Object.hasOwn(JS_ONLY, kernel)) return (args) => JS_ONLY[kernel](args[0], args[1]);
  if (hasElementwiseIR(kernel)) return printed((args, attrs) => elementwiseIR(kernel, args, attrs));
  return undefined;
}

/** Casts that change values (to float32 a cast is an alias: values are stored as float32 already). */
export function castTemplate(dtype: unknown): Template | undefined {
  // Int32Array's conversion (what tfjs stores): truncation, NaN and ±Infinity to 0, wrapping past 2³¹.
  if (dtype === 'int32') return (args) => `(${args[0]}) | 0`;
  if (dtype === 'bool') return printed((args, attrs) => elementwiseIR('Cast', args, attrs, dtype));
  return undefined;
}

/** Whether `kernel` is elementwise (Cast aside: castTemplate says which casts are). */
export function isElementwise(kernel: string): boolean {
  return elementwiseTemplate(kernel) !== undefined;
}

/** Kernel `kernel` (Cast included) as JS over operand texts. */
export function elementwiseJs(kernel: string, args: readonly string[], attrs: Attrs): string {
  const template = kernel === 'Cast' ? castTemplate(attrs.dtype) : elementwiseTemplate(kernel);
  if (!template) throw new Error(`${kernel} is not an elementwise kernel this compiler knows`);
  return template(args, attrs);
}

/** The kernel's value on known operands (what its loop would store), for folding at compile time. */
export function foldElementwise(kernel: string, values: readonly number[], attrs: Attrs): number {
  const js = elementwiseJs(kernel, values.map(jsLiteral), attrs);
  return (new Function('fr', `return fr(${js});`) as (fr: typeof Math.fround) => number)(Math.fround);
}
