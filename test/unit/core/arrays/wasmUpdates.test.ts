import { strict as assert } from 'node:assert';
import type { ArrayOptimizer } from '../../../../src/core/arrays/contracts';
import { WASM_UPDATE_MIN_SIZE } from '../../../../src/core/arrays/wasmUpdate';
import type { HpRecord } from '../../../../src/core/hyperparams';
import { wasmSimdSupported } from '../../../../src/core/wasm/loopModule';
import { COMBOS, ELEMENTWISE, arraysOf } from '../../helpers/elementwiseArrayCases';
import { FIXTURE_FILES, loadTorchFixture } from '../../helpers/torchFixtures';

const N = 1003; // not a multiple of 4: the vector loop and its scalar tail both run
const STEPS = 24;
/** Gradient values that stress the rounding rules; NaN and ±Inf then stay in the state of their coordinates. */
const SPECIAL = [NaN, Infinity, -Infinity, -0, 0, 1e-40, -1e-45, 3e38, -3e38, 1e-20];

/** Every hyperparameter combination the array tests use for `id`: the tensor comparison's and the torch fixtures'. */
function combosOf(id: string): HpRecord[] {
  const fixtureHps = FIXTURE_FILES.map(loadTorchFixture).flatMap((f) => f.cases.filter((c) => c.optimizer === id).map((c) => c.hp));
  const all = [...COMBOS[id as keyof typeof COMBOS].hps, ...fixtureHps];
  return [...new Map(all.map((hp) => [JSON.stringify(hp), hp])).values()];
}

interface Trace {
  xs: Float32Array[];
  /** The state's fields after each update (its Float32Arrays copied). */
  states: Record<string, unknown>[];
  updateNormSq: number[];
}

/**
 * `steps` updates on a diagonal quadratic g = a ⊙ x − b with a varying lr; `special` puts
 * SPECIAL values into a few gradient coordinates (in the vector part and the tail), and into
 * x0. The last coordinate's gradient is always 0 (a zero denominator when eps = 0).
 */
function run(optimizer: ArrayOptimizer, n: number, lr: number, special: boolean, steps = STEPS): Trace {
  const a = Float32Array.from({ length: n }, (_, i) => 0.5 + (i % 7) / 3);
  const b = Float32Array.from({ length: n }, (_, i) => Math.sin(i));
  let x = Float32Array.from({ length: n }, (_, i) => 2 * Math.cos(3 * i));
  if (special) SPECIAL.forEach((v, k) => (x[(17 * k) % n] = v));
  let next = new Float32Array(n);
  const grad = new Float32Array(n);
  const state = optimizer.init(x) as Record<string, unknown>;
  const trace: Trace = { xs: [], states: [], updateNormSq: [] };
  for (let step = 0; step < steps; step++) {
    for (let i = 0; i < n; i++) grad[i] = a[i] * x[i] - b[i];
    if (special) for (let k = 0; k < SPECIAL.length; k++) grad[(5 + 31 * k) % n] = SPECIAL[(k + step) % SPECIAL.length];
    if (special) grad[n - 2] = SPECIAL[step % SPECIAL.length];
    grad[n - 1] = 0;
    const result = optimizer.update({ params: x, paramsOut: next, grad, loss: 0, lr: lr * (1 + 0.3 * Math.sin(step)), step, evaluate: () => assert.fail() }, state);
    trace.xs.push(next.slice());
    trace.states.push(Object.fromEntries(Object.entries(state).map(([k, v]) => [k, v instanceof Float32Array ? v.slice() : v])));
    trace.updateNormSq.push(result.updateNormSq);
    [x, next] = [next, x];
  }
  return trace;
}

/** The first element where the two differ in the Object.is sense (NaN = NaN, −0 ≠ 0), as a message. */
function firstDifference(label: string, js: ArrayLike<number>, wasm: ArrayLike<number>): string | undefined {
  if (js.length !== wasm.length) return `${label}: length ${js.length} vs ${wasm.length}`;
  for (let i = 0; i < js.length; i++) if (!Object.is(js[i], wasm[i])) return `${label}[${i}]: ${js[i]} (JS) vs ${wasm[i]} (wasm)`;
  return undefined;
}

function assertSameBits(js: Trace, wasm: Trace): void {
  js.xs.forEach((x, k) => {
    assert.equal(firstDifference(`step ${k} paramsOut`, x, wasm.xs[k]), undefined);
    for (const [key, value] of Object.entries(js.states[k])) {
      const other = wasm.states[k][key];
      if (value instanceof Float32Array) assert.equal(firstDifference(`step ${k} ${key}`, value, other as Float32Array), undefined);
      else assert.ok(Object.is(value, other), `step ${k} ${key}: ${String(value)} vs ${String(other)}`);
    }
  });
}

/** Whether a state's slots are views into a larger memory (the kernel's) rather than arrays of their own. */
function slotsInWasmMemory(state: unknown): boolean {
  const slots = Object.values(state as object).filter((v): v is Float32Array => v instanceof Float32Array && v.length > 0);
  assert.ok(slots.length > 0);
  const inMemory = slots.map((s) => s.buffer.byteLength > s.byteLength);
  assert.ok(inMemory.every((v) => v === inMemory[0]), 'all slots in one place');
  return inMemory[0];
}

describe('elementwise array optimizers as WebAssembly', () => {
  it('runs here: this engine has WebAssembly SIMD', () => assert.ok(wasmSimdSupported()));

  for (const id of ELEMENTWISE) {
    describe(`${id}: the same bits as the JS loop (${STEPS} steps, n = ${N})`, () => {
      for (const hp of combosOf(id)) {
        it(JSON.stringify(hp), () => {
          const { lr } = COMBOS[id];
          for (const special of [false, true]) {
            const js = run(arraysOf(id, hp, 'never'), N, lr, special);
            const wasm = run(arraysOf(id, hp, 'always'), N, lr, special);
            assertSameBits(js, wasm);
            js.updateNormSq.forEach((v, k) => {
              const w = wasm.updateNormSq[k];
              // Only the sum's order differs; a NaN or Inf anywhere is NaN or Inf in both.
              if (!Number.isFinite(v)) assert.ok(Object.is(v, w), `step ${k}: ${v} vs ${w}`);
              else assert.ok(Math.abs(v - w) <= 1e-12 * v, `step ${k}: updateNormSq ${v} (JS) vs ${w} (wasm)`);
            });
            if (!special) assert.ok(js.updateNormSq.every((v) => v > 0), 'the run moves');
            if (special) assert.ok(js.xs[STEPS - 1].some(Number.isNaN), 'NaN gradients reach the parameters');
          }
        });
      }
    });
  }

  it('the same bits for vectors shorter than, or not a multiple of, a SIMD vector (n = 1, 2, 5, 9)', () => {
    for (const id of ELEMENTWISE) {
      const { lr, hps } = COMBOS[id];
      for (const n of [1, 2, 5, 9]) assertSameBits(run(arraysOf(id, hps[1], 'never'), n, lr, false), run(arraysOf(id, hps[1], 'always'), n, lr, false));
    }
  });

  it(`'auto' keeps the state in JS below ${WASM_UPDATE_MIN_SIZE} parameters and in the kernel's memory from there`, () => {
    for (const id of ELEMENTWISE) {
      const hp = COMBOS[id].hps[1];
      const auto = arraysOf(id, hp);
      assert.equal(slotsInWasmMemory(auto.init(new Float32Array(WASM_UPDATE_MIN_SIZE - 1))), false, id);
      assert.equal(slotsInWasmMemory(auto.init(new Float32Array(WASM_UPDATE_MIN_SIZE))), true, id);
      assert.equal(slotsInWasmMemory(arraysOf(id, hp, 'never').init(new Float32Array(N))), false, id);
      assert.equal(slotsInWasmMemory(arraysOf(id, hp, 'always').init(new Float32Array(3))), true, id);
    }
  });

  it('keeps its slot arrays and reads params and grad only', () => {
    for (const id of ELEMENTWISE) {
      const { lr, hps } = COMBOS[id];
      const optimizer = arraysOf(id, hps[1], 'always');
      const params = Float32Array.from({ length: N }, (_, i) => Math.sin(i));
      const grad = Float32Array.from({ length: N }, (_, i) => Math.cos(i));
      const [paramsCopy, gradCopy] = [params.slice(), grad.slice()];
      const paramsOut = new Float32Array(N);
      const state = optimizer.init(params) as Record<string, unknown>;
      const slots = Object.values(state).filter((v) => v instanceof Float32Array);
      for (let step = 0; step < 3; step++) optimizer.update({ params, paramsOut, grad, loss: 1, lr, step, evaluate: () => assert.fail() }, state);
      const now = Object.values(state).filter((v) => v instanceof Float32Array);
      assert.ok(now.length === slots.length && now.every((s, k) => s === slots[k]), `${id}: the same slot arrays`);
      assert.deepEqual(params, paramsCopy, id);
      assert.deepEqual(grad, gradCopy, id);
      assert.equal(state.t, 3, id);
    }
  });
});
