import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { elementwiseIR } from '../../../../src/core/compiled/elementwiseIR';
import { castTemplate, elementwiseTemplate } from '../../../../src/core/compiled/elementwiseKernels';
import { fr, type Expr, type LoopIR } from '../../../../src/core/wasm/loopIR';
import { interpretLoop } from '../../helpers/loopInterpreter';
import { SPECIAL_FLOAT32, seededRandom } from '../../helpers/randomLoopIR';
import { runLoopsInWasm, type LoopRun } from '../../helpers/wasmLoopRunner';
import { useCpuBackend } from './compiledCheck';

/**
 * Every kernel elementwiseIR.ts has an IR for gives the bits of its JS
 * template (elementwiseKernels.ts) as compileProgram runs it, `fr(template)`:
 * evaluated by the reference interpreter and as a WebAssembly loop, on a grid
 * of special values and random float32s, operands as buffer reads and as
 * literals, with the attributes tfjs passes (and awkward ones).
 */

type Attrs = Readonly<Record<string, unknown>>;

/** The kernels elementwiseIR.ts names (its TEMPLATES keys), read from its source so a new entry is tested too. */
function irKernels(): string[] {
  const source = readFileSync(join(__dirname, '../../../../src/core/compiled/elementwiseIR.ts'), 'utf8');
  const table = source.slice(source.indexOf('const TEMPLATES'), source.indexOf('\n};', source.indexOf('const TEMPLATES')));
  return [...table.matchAll(/^ {2}(\w+): /gm)].map((m) => m[1]);
}

/** compileProgram's literal(): how a known operand appears in the JS source. */
const literal = (x: number): string =>
  Number.isNaN(x) ? 'NaN' : x === Infinity ? 'Infinity' : x === -Infinity ? '-Infinity' : Object.is(x, -0) ? '-0' : `${x}`;

const GRID: readonly number[] = [
  ...SPECIAL_FLOAT32,
  2, -2, 0.25, 100, -100, Math.fround(6.000001), Math.fround(5.999999), Math.fround(88.72), 89, -104, -88, Math.fround(1e-7), Math.fround(-1e-20),
  Math.fround(Math.PI), Math.fround(-Math.PI / 2), Math.fround(0.2), Math.fround(0.7),
];

function randomFloat32s(seed: number, n: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => Math.fround((random() < 0.5 ? -1 : 1) * (1 + random()) * 2 ** (Math.floor(random() * 60) - 30)));
}

/** Operand k: element i of buffer k, or a literal (then the same value in every row). */
type Operand = { readonly values: readonly number[] } | { readonly literal: number };

interface KernelCase {
  readonly kernel: string;
  readonly attrs: Attrs;
  readonly castTo?: string;
  readonly operands: readonly Operand[];
  readonly rows: number;
}

/** Every pair (a, b) of `values`, as two columns. */
function pairs(values: readonly number[]): [number[], number[]] {
  return [values.flatMap((a) => values.map(() => a)), values.flatMap(() => values)];
}

/** The JS template of a case, as compileProgram emits it (rounded with fr), evaluated at every row. */
function jsValues(c: KernelCase): number[] {
  const template = c.kernel === 'Cast' ? castTemplate(c.castTo) : elementwiseTemplate(c.kernel);
  if (!template) throw new Error(`${c.kernel} has no JS template`);
  const args = c.operands.map((o, k) => ('literal' in o ? literal(o.literal) : `x${k}`));
  const fn = new Function('fr', ...c.operands.map((_, k) => `x${k}`), `return fr(${template(args, c.attrs)});`) as (fr: (x: number) => number, ...xs: number[]) => number;
  return Array.from({ length: c.rows }, (_, i) => fn(Math.fround, ...c.operands.map((o) => ('literal' in o ? o.literal : o.values[i]))));
}

/** The case as a loop: `out[i] = fr(IR)` over buffer reads (buffer k is operand k; the output is buffer 99). */
function loopOf(c: KernelCase): LoopRun {
  const args: Expr[] = c.operands.map((o, k) => ('literal' in o ? { op: 'lit', value: o.literal } : { op: 'read', buf: k, read: { kind: 'offset', k: 0 } }));
  const ir = elementwiseIR(c.kernel, args, c.attrs, c.castTo);
  if (!ir) throw new Error(`${c.kernel} has no IR`);
  const loop: LoopIR = { size: c.rows, scalars: [], body: [{ op: 'let', id: 0, value: fr(ir) }, { op: 'store', buf: 99, value: { op: 'local', id: 0 } }], accumulators: [] };
  const buffers = new Map<number, Float32Array>(c.operands.flatMap((o, k) => ('values' in o ? [[k, Float32Array.from(o.values)] as [number, Float32Array]] : [])));
  buffers.set(99, new Float32Array(c.rows).fill(12345));
  return { ir: loop, buffers, scalars: [] };
}

function describeRow(c: KernelCase, i: number): string {
  return c.operands.map((o) => ('literal' in o ? `literal ${literal(o.literal)}` : literal(o.values[i]))).join(', ');
}

/** Checks interpreter and WebAssembly against the JS template, element by element (Object.is). */
function assertSameAsTemplate(cases: readonly KernelCase[]): void {
  const loops = cases.map(loopOf);
  const wasm = runLoopsInWasm(loops);
  cases.forEach((c, k) => {
    const expected = jsValues(c);
    const interpreted = new Map(loops[k].buffers);
    interpreted.set(99, new Float32Array(c.rows));
    interpretLoop(loops[k].ir, interpreted);
    const stored = Float32Array.from(expected);
    const name = `${c.kernel}${Object.keys(c.attrs).length > 0 ? ` ${JSON.stringify(c.attrs, (_, v: unknown) => (typeof v === 'number' ? literal(v) : v))}` : ''}`;
    for (let i = 0; i < c.rows; i++) {
      const viaInterpreter = (interpreted.get(99) as Float32Array)[i];
      const viaWasm = (wasm[k].buffers.get(99) as Float32Array)[i];
      assert.ok(Object.is(viaInterpreter, stored[i]), `${name}(${describeRow(c, i)}): IR interpreted ${viaInterpreter}, JS template ${stored[i]}`);
      assert.ok(Object.is(viaWasm, stored[i]), `${name}(${describeRow(c, i)}): IR as WebAssembly ${viaWasm}, JS template ${stored[i]}`);
    }
  });
}

/** Attribute sets per kernel: tfjs's defaults, typical values, and ones float32 cannot hold or that are signed zeros. */
const ATTRS: Record<string, readonly Attrs[]> = {
  LeakyRelu: [{}, { alpha: 0.2 }, { alpha: 0.1 }, { alpha: 3 }, { alpha: -0 }, { alpha: NaN }, { alpha: 1e-40 }, { alpha: -Infinity }],
  Step: [{}, { alpha: 0.1 }, { alpha: -1 }, { alpha: -0 }, { alpha: NaN }, { alpha: 1 / 3 }],
  ClipByValue: [
    { clipValueMin: -1, clipValueMax: 1 }, { clipValueMin: 0.1, clipValueMax: 0.7 }, { clipValueMin: -0, clipValueMax: 0 },
    { clipValueMin: 0, clipValueMax: -0 }, { clipValueMin: -Infinity, clipValueMax: Infinity }, { clipValueMin: 1e-45, clipValueMax: 3.5e38 },
    { clipValueMin: NaN, clipValueMax: 1 },
  ],
  FusedBatchNorm: [{ varianceEpsilon: 1e-3 }, { varianceEpsilon: 1e-5 }],
};

const ARITY: Record<string, number> = {
  Add: 2, Sub: 2, Multiply: 2, RealDiv: 2, DivNoNan: 2, Maximum: 2, Minimum: 2, SquaredDifference: 2, Prelu: 2, EluGrad: 2,
  Greater: 2, GreaterEqual: 2, Less: 2, LessEqual: 2, Equal: 2, NotEqual: 2, LogicalAnd: 2, LogicalOr: 2, FloorDiv: 2, Pow: 2, Atan2: 2,
  Select: 3, AddN: 4, FusedBatchNorm: 5,
};

/** The cases of one kernel: the grid, random values, and (for several operands) literal operands of grid values. */
function casesOf(kernel: string, attrs: Attrs, seed: number): KernelCase[] {
  const arity = ARITY[kernel] ?? 1;
  const random = randomFloat32s(seed, 400);
  if (arity === 1) {
    const values = [...GRID, ...random, ...random.map((x) => x / 64)];
    return [{ kernel, attrs, operands: [{ values }], rows: values.length }];
  }
  if (arity === 2) {
    const [a, b] = pairs([...GRID, ...random.slice(0, 20)]);
    const mixed = random.slice(0, 200);
    return [
      { kernel, attrs, operands: [{ values: a }, { values: b }], rows: a.length },
      { kernel, attrs, operands: [{ values: mixed }, { values: random.slice(200) }], rows: mixed.length },
      ...[NaN, -0, 0, 1, -2.5, Math.fround(0.1), -Infinity].flatMap((x): KernelCase[] => [
        { kernel, attrs, operands: [{ literal: x }, { values: GRID }], rows: GRID.length },
        { kernel, attrs, operands: [{ values: GRID }, { literal: x }], rows: GRID.length },
      ]),
    ];
  }
  // Select (condition, a, b) and AddN (four terms): columns from the grid, rotated against each other.
  const rows = GRID.length * 7;
  const column = (shift: number) => Array.from({ length: rows }, (_, i) => GRID[(i * (shift + 1) + shift) % GRID.length]);
  const operands: Operand[] = Array.from({ length: arity }, (_, k) => ({ values: column(k) }));
  return [
    { kernel, attrs, operands, rows },
    { kernel, attrs, operands: operands.map((o, k) => (k === 1 ? { literal: -0 } : o)), rows },
  ];
}

describe('elementwise kernels: the IR gives the JS template\'s bits (interpreted and as WebAssembly)', () => {
  const kernels = irKernels();

  it('finds the kernels in elementwiseIR.ts, each with an IR and a JS template', () => {
    assert.ok(kernels.length >= 40, `only ${kernels.length} kernels found: ${kernels.join(', ')}`);
    for (const kernel of kernels) {
      assert.ok(elementwiseTemplate(kernel), `${kernel} has no JS template`);
      const args: Expr[] = Array.from({ length: ARITY[kernel] ?? 1 }, (_, k) => ({ op: 'read', buf: k, read: { kind: 'offset', k: 0 } }));
      assert.ok(elementwiseIR(kernel, args, ATTRS[kernel]?.[0] ?? {}), `${kernel} has no IR`);
    }
  });

  kernels.forEach((kernel, k) => {
    it(kernel, () => {
      assertSameAsTemplate((ATTRS[kernel] ?? [{}]).flatMap((attrs, j) => casesOf(kernel, attrs, 100 * k + j)));
    });
  });

  describe('−0 attributes keep their sign, as in TensorFlow.js\'s kernels (the JS template wrote −0 as 0)', () => {
    useCpuBackend();
    const x = [-1, -Infinity, -2.5, NaN, 3];
    const cases: [string, Attrs, (t: tf.Tensor) => tf.Tensor][] = [
      ['LeakyRelu', { alpha: -0 }, (t) => tf.leakyRelu(t, -0)],
      ['Step', { alpha: -0 }, (t) => tf.step(t, -0)],
      // (Not −0..0: tf.clipByValue with equal bounds is a fill, no ClipByValue kernel.)
      ['ClipByValue', { clipValueMin: -0, clipValueMax: 1 }, (t) => tf.clipByValue(t, -0, 1)],
    ];
    for (const [kernel, attrs, op] of cases) {
      it(kernel, () => {
        const before = tf.memory().numTensors;
        const expected = tf.tidy(() => op(tf.tensor1d(x)).dataSync());
        assert.equal(tf.memory().numTensors, before, 'tensors leaked');
        const js = jsValues({ kernel, attrs, operands: [{ values: x }], rows: x.length });
        x.forEach((v, i) => assert.ok(Object.is(Math.fround(js[i]), expected[i]), `${kernel}(${v}): template ${js[i]}, TensorFlow.js ${expected[i]}`));
        assertSameAsTemplate([{ kernel, attrs, operands: [{ values: x }], rows: x.length }]);
      });
    }
  });

  it('a division by a power of two is a multiplication by its reciprocal, with the division\'s bits; x·1 is x', () => {
    const x: Expr = { op: 'read', buf: 0, read: { kind: 'offset', k: 0 } };
    const values = [...GRID, ...randomFloat32s(11, 200), ...randomFloat32s(12, 100).map((v) => Math.fround(v * 2 ** -100))];
    const powers = [1, 2, -2, 0.25, 8192, 2 ** -126, 2 ** 126];
    // Not a power of two, or a reciprocal float32 cannot hold (2^127's is subnormal; a subnormal's overflows).
    const others = [3, Math.fround(0.1), -2.5, 2 ** 127, 2 ** -127, 2 ** -149];
    for (const divisor of [...powers, ...others]) {
      const ir = elementwiseIR('RealDiv', [x, { op: 'lit', value: divisor }], {}) as Expr;
      assert.equal(ir.op, powers.includes(divisor) ? 'mul' : 'div', `÷ ${divisor}`);
      assertSameAsTemplate([{ kernel: 'RealDiv', attrs: {}, operands: [{ values }, { literal: divisor }], rows: values.length }]);
    }
    assert.equal(elementwiseIR('Multiply', [x, { op: 'lit', value: 1 }], {}), x);
    assert.equal(elementwiseIR('Multiply', [{ op: 'lit', value: 1 }, x], {}), x);
    assert.equal((elementwiseIR('Multiply', [x, { op: 'lit', value: -1 }], {}) as Expr).op, 'mul');
  });

  it('Cast to bool (to int32 stays in JS: no IR)', () => {
    const values = [...GRID, ...randomFloat32s(7, 50)];
    assertSameAsTemplate([{ kernel: 'Cast', attrs: { dtype: 'bool' }, castTo: 'bool', operands: [{ values }], rows: values.length }]);
    assert.equal(elementwiseIR('Cast', [{ op: 'lit', value: 1 }], { dtype: 'int32' }, 'int32'), undefined);
  });
});
