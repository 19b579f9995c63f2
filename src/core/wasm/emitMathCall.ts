/**
 * A loop's Math call in WebAssembly (emitLoop.ts's expressions): an imported Math function called on each
 * float64 lane, or tanh and exp inlined as SIMD (transcendentalTanh.ts, transcendentalExp.ts: each imported call
 * leaves WebAssembly, V8 calls Math.tanh through JS).
 */
import { Op, Simd, unsignedLeb, type Code } from './binary';
import { MATH_ARITY, type Expr, type MathFunction } from './loopIR';
import { emitExpCall } from './transcendentalExp';
import { emitTanhCall } from './transcendentalTanh';

/** The Math functions a module imports, in import order (their function indices). */
export class MathImports {
  readonly used: MathFunction[] = [];
  index(fn: MathFunction): number {
    if (!this.used.includes(fn)) this.used.push(fn);
    return this.used.indexOf(fn);
  }
}

/**
 * Math[fn] on each lane: the arguments' lanes are computed as vectors, then called one by one.
 * `arg(e, half)` pushes an argument in float64 (scalar, or the float64x2 of lanes 2·half, 2·half + 1).
 */
export function emitMathCall(code: Code, call: Expr & { op: 'call' }, vector: boolean, half: number, imports: MathImports, arg: (e: Expr, half: number) => Code): Code {
  const { fn, args } = call;
  if (fn === 'tanh') return emitTanhCall(code, call, vector, half, (h) => arg(args[0], h));
  if (fn === 'exp') return emitExpCall(code, vector, () => arg(args[0], half));
  const index = imports.index(fn);
  if (args.length !== MATH_ARITY[fn]) throw new Error(`Math.${fn} takes ${MATH_ARITY[fn]} arguments`);
  if (!vector) {
    args.forEach((a) => arg(a, 0));
    return code.op(Op.call, ...unsignedLeb(index));
  }
  const lanes = args.map((a) => {
    const slot = code.local('v128');
    arg(a, half).set(slot);
    return slot;
  });
  const result = code.local('v128');
  for (const lane of [0, 1]) {
    if (lane === 1) code.get(result);
    lanes.forEach((slot) => code.get(slot).simd(Simd.f64x2ExtractLane, lane));
    code.op(Op.call, ...unsignedLeb(index));
    if (lane === 0) code.simd(Simd.f64x2Splat).set(result);
    else code.simd(Simd.f64x2ReplaceLane, 1).set(result);
  }
  return code.get(result);
}
