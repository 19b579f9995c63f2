import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { compileProgram } from '../../../../src/core/compiled/compileProgram';
import { elementwiseIR } from '../../../../src/core/compiled/elementwiseIR';
import { oneHotArgs, toInt32Args } from '../../../../src/core/compiled/intExprs';
import { compileLoopJs } from '../../../../src/core/compiled/loopJs';
import { traceProgram } from '../../../../src/core/compiled/traceProgram';
import { fr, type Expr, type LoopIR } from '../../../../src/core/wasm/loopIR';
import { MemoryPlan, instantiateLoops } from '../../../../src/core/wasm/loopModule';
import { assertClose, spread } from './compiledCheck';

/**
 * Integer kernels as loop IR (intExprs.ts): ToInt32 written with floor, ceil and selects is JS's `x | 0`
 * on every kind of double (as WebAssembly and as printed JS, one value at a time in float64 and a
 * float32 buffer at a time through the vector loop), a one-hot element is `index === i % depth`, and
 * programs with casts to int32, int arithmetic and one-hots run without a long JS loop and agree with
 * TensorFlow.js.
 */

const SPECIAL = [
  0, -0, 0.5, -0.5, 1, -1, 1.5, -1.5, 2.5, -2.5, 0.9999999, -0.9999999, NaN, Infinity, -Infinity,
  2 ** 24, 2 ** 24 + 2, 2 ** 31 - 1, 2 ** 31 - 0.5, 2 ** 31, 2 ** 31 + 1, -(2 ** 31), -(2 ** 31) - 1, -(2 ** 31) + 0.5,
  2 ** 32, 2 ** 32 - 1, 2 ** 32 + 5, -(2 ** 32) - 5, 3 * 2 ** 30 + 64, -(3 * 2 ** 30) - 64, 2 ** 53, 2 ** 53 + 2, -(2 ** 53) - 2,
  2 ** 60 + 2 ** 40, 2 ** 84, 2 ** 84 + 2 ** 33, 1e20, -1e20, 1.7976931348623157e308, -1.7976931348623157e308, 5e-324, 3.4028234663852886e38,
];

/** What the Select kernel's IR computes from operands (condition, then, else). */
const selected = (args: readonly Expr[]): Expr => elementwiseIR('Select', args, {}) as Expr;

/** A deterministic mix of doubles of every magnitude and sign. */
const randomDoubles = (count: number): number[] => Array.from({ length: count }, (_, k) => Math.sin(k * 12.9898) * 10 ** ((k * 7) % 25) * (k % 3 === 0 ? 1 : 1.37));

/** The loop forms of `value(x)` for x a float64 argument: one element, the value returned as a float64 sum. */
function scalarForms(value: (x: Expr) => Expr): ((x: number) => number)[] {
  const ir: LoopIR = { size: 1, scalars: ['f64'], body: [{ op: 'reduce', acc: 0, value: value({ op: 'scalar', index: 0 }) }], accumulators: [{ op: 'sum', into: 'return' }] };
  const plan = new MemoryPlan();
  plan.reserve(4);
  const { memory } = plan.allocate();
  const [wasm] = instantiateLoops([ir], (buf) => plan.address(buf), memory);
  const js = compileLoopJs(ir)({});
  return [(x) => wasm(x) as number, (x) => js(x) as number];
}

describe('integer kernels as loop IR (intExprs.ts)', () => {
  it('ToInt32 is x | 0 on special and random doubles, as WebAssembly and as JS', () => {
    const forms = scalarForms((x) => selected(toInt32Args(x) as Expr[]));
    for (const x of [...SPECIAL, ...SPECIAL.map((v) => -v), ...randomDoubles(2000)]) {
      forms.forEach((form, k) => assert.ok(Object.is(form(x), x | 0), `${k === 0 ? 'WebAssembly' : 'JS'}: ToInt32(${x}) is ${form(x)}, x | 0 is ${x | 0}`));
    }
  });

  it('ToInt32 of a float32 buffer through the vector loop: fr(x | 0) for every element', () => {
    const values = Float32Array.from([...SPECIAL, ...randomDoubles(997)]);
    const ir: LoopIR = { size: values.length, scalars: [], body: [{ op: 'store', buf: 1, value: fr(selected(toInt32Args({ op: 'read', buf: 0, read: { kind: 'offset', k: 0 } }) as Expr[])) }], accumulators: [] };
    const plan = new MemoryPlan();
    plan.reserve(values.length);
    plan.reserve(values.length);
    const { memory, f32 } = plan.allocate();
    f32[0].set(values);
    instantiateLoops([ir], (buf) => plan.address(buf), memory)[0]();
    values.forEach((x, i) => assert.ok(Object.is(f32[1][i], Math.fround(x | 0)), `element ${i}: ${x} -> ${f32[1][i]}, fr(x | 0) ${Math.fround(x | 0)}`));
  });

  it('an operand too large to copy has no IR form (the loop stays in JS)', () => {
    let big: Expr = { op: 'scalar', index: 0 };
    for (let k = 0; k < 6; k++) big = { op: 'add', a: big, b: { op: 'lit', value: k } };
    assert.equal(toInt32Args(big), undefined);
  });

  it('a one-hot element is on exactly where the index equals the position', () => {
    const forms = scalarForms((x) => selected(oneHotArgs(x, { op: 'lit', value: 3 }, 0.75, -2)));
    for (const x of [3, 3.0000001, 2, -3, NaN, Infinity]) forms.forEach((form) => assert.equal(form(x), x === 3 ? 0.75 : -2, `index ${x}`));
  });

  it('casts to int32, int arithmetic and one-hots compile without a long JS loop and agree with TensorFlow.js', () => {
    const depth = 6;
    const ids = Float32Array.from({ length: 64 }, (_, i) => ((i * 5) % 9) - 1.5 + (i % 2) * 0.75);
    const weights = Float32Array.from(spread(64 * depth, 3));
    const fn = (x: tf.Tensor, w: tf.Tensor) => {
      const shifted = tf.sub(tf.cast(x, 'int32'), tf.scalar(1, 'int32'));
      const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.mul(tf.oneHot(tf.cast(x, 'int32'), depth), v), tf.cast(shifted, 'float32').reshape([64, 1]))))(w);
      return [tf.cast(shifted, 'float32'), grad];
    };
    const before = tf.memory().numTensors;
    const tensors = [tf.tensor(ids), tf.tensor(weights, [64, depth])];
    const { program, results } = traceProgram(fn, tensors);
    tf.dispose(tensors);
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
    const compiled = compileProgram(program, { wasm: true });
    assert.equal(compiled.jsLoops, 0, compiled.source);
    const outputs = compiled.outputSizes.map((n) => new Float32Array(n).fill(12345));
    compiled.run([ids, weights], outputs);
    results.forEach((r, k) => assertClose(outputs[k], r, 1e-6, `output ${k}`));
  });
});
