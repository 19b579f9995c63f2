/**
 * Elementwise TensorFlow.js kernels as JS expressions over already-read
 * operands (names or literals). Every result is rounded to float32 by the
 * caller (Math.fround), so the plain-JS program overflows and loses precision
 * where the float32 kernels do. Booleans are 1/0.
 */
import { jsLiteral } from './printJs';

type Attrs = Readonly<Record<string, unknown>>;
type Template = (args: readonly string[], attrs: Attrs) => string;

const num = (v: unknown, fallback = 0): string => {
  const x = typeof v === 'number' ? v : fallback;
  // `${-0}` is "0": a −0 attribute (a clip bound, an alpha) is written out so its sign survives.
  return Number.isNaN(x) ? 'NaN' : x === Infinity ? 'Infinity' : x === -Infinity ? '-Infinity' : Object.is(x, -0) ? '(-0)' : `(${x})`;
};
const bool = (cond: string) => `((${cond}) ? 1 : 0)`;

const UNARY: Record<string, (x: string, attrs: Attrs) => string> = {
  // Parenthesised: an operand may be a negative literal, and `--1` is a decrement (a SyntaxError).
  Neg: (x) => `-(${x})`,
  Square: (x) => `${x} * ${x}`,
  Sqrt: (x) => `Math.sqrt(${x})`,
  Rsqrt: (x) => `1 / Math.sqrt(${x})`,
  Reciprocal: (x) => `1 / ${x}`,
  Exp: (x) => `Math.exp(${x})`,
  Expm1: (x) => `Math.expm1(${x})`,
  Log: (x) => `Math.log(${x})`,
  Log1p: (x) => `Math.log1p(${x})`,
  Abs: (x) => `Math.abs(${x})`,
  Sign: (x) => `(${x} > 0 ? 1 : ${x} < 0 ? -1 : 0)`,
  Tanh: (x) => `Math.tanh(${x})`,
  Sigmoid: (x) => `1 / (1 + Math.exp(-(${x})))`,
  Softplus: (x) => `(Math.log1p(Math.exp(-Math.abs(${x}))) + Math.max(${x}, 0))`,
  Relu: (x) => `(${x} < 0 ? 0 : ${x})`,
  Relu6: (x) => `(${x} < 0 ? 0 : ${x} > 6 ? 6 : ${x})`,
  Elu: (x) => `(${x} > 0 ? ${x} : Math.expm1(${x}))`,
  Selu: (x) => `(${x} > 0 ? 1.0507009873554805 * ${x} : 1.7580993408473766 * Math.expm1(${x}))`,
  LeakyRelu: (x, a) => `(${x} < 0 ? ${num(a.alpha, 0.2)} * ${x} : ${x})`,
  Step: (x, a) => `(${x} > 0 ? 1 : ${x} !== ${x} ? ${x} : ${num(a.alpha)})`,
  ClipByValue: (x, a) => `(${x} < ${num(a.clipValueMin)} ? ${num(a.clipValueMin)} : ${x} > ${num(a.clipValueMax)} ? ${num(a.clipValueMax)} : ${x})`,
  Sin: (x) => `Math.sin(${x})`,
  Cos: (x) => `Math.cos(${x})`,
  Tan: (x) => `Math.tan(${x})`,
  Asin: (x) => `Math.asin(${x})`,
  Acos: (x) => `Math.acos(${x})`,
  Atan: (x) => `Math.atan(${x})`,
  Sinh: (x) => `Math.sinh(${x})`,
  Cosh: (x) => `Math.cosh(${x})`,
  Asinh: (x) => `Math.asinh(${x})`,
  Acosh: (x) => `Math.acosh(${x})`,
  Atanh: (x) => `Math.atanh(${x})`,
  Floor: (x) => `Math.floor(${x})`,
  Ceil: (x) => `Math.ceil(${x})`,
  // tfjs's banker's rounding (cpu kernel): halves go to the even neighbour.
  Round: (x) => `(${x} - Math.floor(${x}) < 0.5 ? Math.floor(${x}) : ${x} - Math.floor(${x}) > 0.5 ? Math.ceil(${x}) : Math.floor(${x}) % 2 === 0 ? Math.floor(${x}) : Math.floor(${x}) + 1)`,
  // tfjs's erf (Abramowitz–Stegun 7.1.26, its constants), not an exact one.
  Erf: (x) =>
    `(Math.sign(${x}) * (1 - ((((1.061405429 * (1 / (1 + 0.3275911 * Math.abs(${x}))) - 1.453152027) * (1 / (1 + 0.3275911 * Math.abs(${x}))) + 1.421413741) * (1 / (1 + 0.3275911 * Math.abs(${x}))) - 0.284496736) * (1 / (1 + 0.3275911 * Math.abs(${x}))) + 0.254829592) * (1 / (1 + 0.3275911 * Math.abs(${x}))) * Math.exp(-Math.abs(${x}) * Math.abs(${x}))))`,
  IsNan: (x) => bool(`${x} !== ${x}`),
  IsInf: (x) => bool(`${x} === Infinity || ${x} === -Infinity`),
  IsFinite: (x) => bool(`Number.isFinite(${x})`),
  LogicalNot: (x) => bool(`${x} === 0`),
};

const BINARY: Record<string, (a: string, b: string) => string> = {
  Add: (a, b) => `${a} + ${b}`,
  Sub: (a, b) => `${a} - ${b}`,
  Multiply: (a, b) => `${a} * ${b}`,
  RealDiv: (a, b) => `${a} / ${b}`,
  DivNoNan: (a, b) => `(${b} === 0 ? 0 : ${a} / ${b})`,
  Pow: (a, b) => `Math.pow(${a}, ${b})`,
  Maximum: (a, b) => `Math.max(${a}, ${b})`,
  Minimum: (a, b) => `Math.min(${a}, ${b})`,
  SquaredDifference: (a, b) => `Math.fround(${a} - ${b}) * Math.fround(${a} - ${b})`,
  FloorDiv: (a, b) => `Math.floor(${a} / ${b})`,
  // tf.mod: the remainder takes the divisor's sign (cpu kernel's rule).
  Mod: (a, b) => `((${a} < 0 && ${b} < 0) || (${a} >= 0 && ${b} >= 0) ? ${a} % ${b} : (${a} % ${b} + ${b}) % ${b})`,
  Atan2: (a, b) => `Math.atan2(${a}, ${b})`,
  Prelu: (a, b) => `(${a} < 0 ? ${b} * ${a} : ${a})`,
  // tf.elu's gradient (inputs dy, y): the cpu kernel's formula on the saved output.
  EluGrad: (dy, y) => `(${y} >= 0 ? ${dy} : ${dy} * (${y} + 1))`,
  Greater: (a, b) => bool(`${a} > ${b}`),
  GreaterEqual: (a, b) => bool(`${a} >= ${b}`),
  Less: (a, b) => bool(`${a} < ${b}`),
  LessEqual: (a, b) => bool(`${a} <= ${b}`),
  Equal: (a, b) => bool(`${a} === ${b}`),
  NotEqual: (a, b) => bool(`${a} !== ${b}`),
  LogicalAnd: (a, b) => bool(`${a} !== 0 && ${b} !== 0`),
  LogicalOr: (a, b) => bool(`${a} !== 0 || ${b} !== 0`),
};

const TEMPLATES: Record<string, Template> = {
  ...Object.fromEntries(Object.entries(UNARY).map(([k, f]) => [k, (args: readonly string[], attrs: Attrs) => f(args[0], attrs)])),
  ...Object.fromEntries(Object.entries(BINARY).map(([k, f]) => [k, (args: readonly string[]) => f(args[0], args[1])])),
  Select: (args) => `(${args[0]} !== 0 ? ${args[1]} : ${args[2]})`,
  AddN: (args) => args.join(' + '),
};

/** Casts that change values (to float32 a cast is an alias: values are stored as float32 already). */
export function castTemplate(dtype: unknown): Template | undefined {
  // Int32Array's conversion (what tfjs stores): truncation, NaN and ±Infinity to 0, wrapping past 2³¹.
  if (dtype === 'int32') return (args) => `(${args[0]}) | 0`;
  if (dtype === 'bool') return (args) => bool(`${args[0]} !== 0`);
  return undefined;
}

export function elementwiseTemplate(kernel: string): Template | undefined {
  return TEMPLATES[kernel];
}

/** Whether `kernel` is elementwise (Cast aside: castTemplate says which casts are). */
export function isElementwise(kernel: string): boolean {
  return elementwiseTemplate(kernel) !== undefined;
}

/** The kernel's value on known operands (what its loop would store), for folding at compile time. */
export function foldElementwise(kernel: string, values: readonly number[], attrs: Attrs): number {
  const template = kernel === 'Cast' ? castTemplate(attrs.dtype) : elementwiseTemplate(kernel);
  if (!template) throw new Error(`${kernel} is not an elementwise kernel`);
  const args = values.map(jsLiteral);
  return (new Function('fr', `return fr(${template(args, attrs)});`) as (fr: typeof Math.fround) => number)(Math.fround);
}

/** Kernels that only reinterpret their first input's shape (same elements, same order). */
export const ALIAS_KERNELS = new Set(['Identity', 'Reshape', 'ExpandDims', 'Squeeze', 'EnsureShape']);
