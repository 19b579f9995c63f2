import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import type { ArrayOptimizer } from '../../../../src/core/arrays/contracts';
import type { HpRecord } from '../../../../src/core/hyperparams';
import type { Optimizer } from '../../../../src/core/optimizer';
import { FIRST_ORDER_RULES } from '../../../../src/core/optimizers/firstOrder';
import { PAPER_RULES } from '../../../../src/core/optimizers/paperRules';
import { createOptimizer } from '../../../../src/core/optimizers/registry';
import type { CompiledRuleState } from '../../../../src/core/rules/compileRule';
import { forEachBackend } from '../../helpers/backends';

/**
 * Every elementwise built-in (torch's, and the paper rules that compile) × every option set that takes
 * another path (each compiles to its own program) × a size that runs as JS loops (n = 3) and one that
 * runs as WebAssembly (n = 1000): the compiled rule against the same rule on tensors, 50 steps with an
 * lr that changes every step.
 *
 * Exact: both sides round every op to float32 in the same order (the compiled loops are the
 * kernels' own JS templates, and their WebAssembly forms are held to the same bits), so the
 * parameters must be the same float32 values at every step, on cpu and on wasm. A 1e-6 tolerance
 * would hide a dropped rounding or a reordered op, which torch's fixtures only catch after drifting.
 */
const OPTION_SETS: Record<string, { lr: number; hps: HpRecord[] }> = {
  sgd: { lr: 0.05, hps: [{}, { momentum: 0.9 }, { momentum: 0.9, nesterov: true, weight_decay: 0.05 }, { momentum: 0.5, dampening: 0.3 }, { weight_decay: 0.1 }] },
  adagrad: { lr: 0.1, hps: [{}, { lr_decay: 0.05, weight_decay: 0.1, initial_accumulator_value: 0.2 }, { eps: 0 }] },
  rmsprop: { lr: 0.01, hps: [{}, { momentum: 0.9, alpha: 0.9 }, { centered: true }, { centered: true, momentum: 0.5, weight_decay: 0.1, eps: 0 }, { eps: 0 }] },
  // Adadelta with eps = 0 never moves (its numerator √(u + ε) starts at 0): the default eps and a larger one.
  adadelta: { lr: 1, hps: [{}, { rho: 0.5, eps: 1e-3, weight_decay: 0.1 }] },
  adam: { lr: 0.05, hps: [{}, { amsgrad: true, betas: [0.8, 0.99] }, { weight_decay: 0.1, eps: 0 }, { amsgrad: true, eps: 0 }] },
  adamw: { lr: 0.05, hps: [{}, { weight_decay: 0.5, amsgrad: true }, { weight_decay: 0, betas: [0.5, 0.9] }] },
  nadam: { lr: 0.05, hps: [{}, { weight_decay: 0.1, momentum_decay: 0.01, betas: [0.8, 0.99] }, { eps: 0 }] },
  adamax: { lr: 0.05, hps: [{}, { weight_decay: 0.1, betas: [0.8, 0.99] }, { eps: 0 }] },
  // Every set crosses RAdam's switch from the unrectified steps (ρ_t ≤ 5, the first five or six) to the rectified ones.
  radam: { lr: 0.05, hps: [{}, { weight_decay: 0.1, betas: [0.8, 0.99] }, { eps: 0 }] },
  // Rprop's lr is its first step size only (the changing lr of later steps is unused, as in torch); a zero minimum lets sizes reach 0.
  // ASGD: t0 = 10 starts the averaging (another path) mid-run; a large λ makes η decay.
  asgd: { lr: 0.05, hps: [{}, { t0: 10, lambd: 0.5, alpha: 0.5, weight_decay: 0.1 }, { lambd: 0, t0: 5 }] },
  rprop: { lr: 0.05, hps: [{}, { etas: [0.3, 1.5], step_sizes: [1e-4, 0.1] }, { step_sizes: [0, 1] }] },
  // Lion with β = 0 steps along sign(g) itself; ADOPT's first step moves nothing (another path), β₁ ≥ 0.5 takes torch's
  // other lerp form; AdEMAMix's warm-ups end mid-run (α at 10, β₃ at 20), β₁ = 0 keeps no fast EMA.
  lion: { lr: 0.05, hps: [{}, { weight_decay: 0.5, betas: [0.5, 0.9] }, { betas: [0, 0] }] },
  adopt: { lr: 0.05, hps: [{}, { clip: false, betas: [0.3, 0.9] }, { weight_decay: 0.1 }, { weight_decay: 0.1, decouple: true }, { eps: 0 }] },
  ademamix: { lr: 0.05, hps: [{}, { alpha_warmup: 10, beta3_warmup: 20, weight_decay: 0.1 }, { betas: [0, 0.9, 0.99], alpha: 2 }, { eps: 0 }] },
};
/**
 * Paper rules need not be elementwise: those that do not compile run on tensors and say why. Adafactor
 * compiles but reduces (RMS of the parameter and of the update, row and column means): its loops sum in
 * another order than TensorFlow.js's kernels, so it is compiled to within the compiler's 1e-6 check, not bit
 * for bit, and adafactor.test.ts holds it to that; the bit-for-bit table below is for elementwise rules.
 */
const REDUCING = new Set(['adafactor']);
const PAPER_COMPILED = PAPER_RULES.filter(({ id }) => !REDUCING.has(id) && createOptimizer(id).arrays);
const PAPER_ON_TENSORS = PAPER_RULES.filter(({ id }) => !createOptimizer(id).arrays);
/** Every built-in: its option sets above, or (a built-in added without any) its defaults at its default lr. */
const CASES = Object.fromEntries([...FIRST_ORDER_RULES, ...PAPER_COMPILED].map(({ id, rule }) => [id, OPTION_SETS[id] ?? { lr: rule.defaults.lr, hps: [{}] }]));
const STEPS = 50;

/** g = a ⊙ x − b, except the last coordinate: 0 at every step (eps = 0 meets a zero denominator there). */
function gradAt(x: Float32Array): Float32Array {
  return Float32Array.from(x, (v, i) => (i === x.length - 1 ? 0 : (0.5 + (i % 7) / 3) * v - Math.sin(i)));
}
const lrAt = (k: number, base: number): number => base * (1 + 0.5 * Math.sin(k));
const start = (n: number) => Float32Array.from({ length: n }, (_, i) => 2 * Math.cos(3 * i));

interface Trace {
  xs: Float32Array[];
  updateNormSq: number[];
}

function compiledRun(arrays: ArrayOptimizer<CompiledRuleState>, n: number, lr: number): Trace & { state: CompiledRuleState } {
  let x = start(n);
  const state = arrays.init(x);
  const trace: Trace = { xs: [], updateNormSq: [] };
  for (let k = 0; k < STEPS; k++) {
    const grad = gradAt(x);
    const [xCopy, gradCopy] = [x.slice(), grad.slice()];
    const out = new Float32Array(n);
    trace.updateNormSq.push(arrays.update({ params: x, paramsOut: out, grad, loss: 0, lr: lrAt(k, lr), step: k, evaluate: () => assert.fail() }, state).updateNormSq);
    assert.deepEqual(x, xCopy, 'params are read only');
    assert.deepEqual(grad, gradCopy, 'grad is read only');
    trace.xs.push(out);
    x = out;
  }
  return { ...trace, state };
}

function tensorRun(optimizer: Optimizer, n: number, lr: number): Float32Array[] {
  let x = tf.tensor1d(start(n));
  let state = optimizer.init(x);
  const xs: Float32Array[] = [];
  for (let k = 0; k < STEPS; k++) {
    const grad = tf.tensor1d(gradAt(x.dataSync() as Float32Array));
    const loss = tf.scalar(0);
    const r = optimizer.update({ params: x, grad, loss, lr: lrAt(k, lr), step: k, evaluate: () => assert.fail(), hvp: () => assert.fail() }, state);
    tf.dispose([grad, loss, x]);
    x = r.params;
    state = r.state;
    xs.push(Float32Array.from(x.dataSync()));
  }
  x.dispose();
  optimizer.disposeState(state);
  return xs;
}

/** The first element where two float32 vectors differ in the Object.is sense (NaN = NaN, −0 ≠ 0). */
function firstDifference(a: Float32Array, b: Float32Array): string | undefined {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return `[${i}]: ${a[i]} (compiled) vs ${b[i]} (tensors)`;
  return undefined;
}

describe('built-in optimizer rules: compiled = on tensors, every option set', () => {
  it('every elementwise built-in compiles, and the option sets name only built-ins', () => {
    for (const id of Object.keys(CASES)) assert.equal(typeof createOptimizer(id).arrays?.update, 'function', id);
    for (const id of Object.keys(OPTION_SETS)) assert.ok(id in CASES, `${id} is not a built-in that compiles`);
  });

  it('paper rules that do not compile say why', () => {
    for (const { id } of PAPER_ON_TENSORS) assert.match(createOptimizer(id).arraysUnavailable ?? '', /\w/, id);
  });

  forEachBackend(() => {
    for (const [id, { lr, hps }] of Object.entries(CASES)) {
      for (const hp of hps) {
        for (const n of [3, 1000]) {
          it(`${id} ${JSON.stringify(hp)}, n = ${n} (${n < 32 ? 'JS loops' : 'WebAssembly'})`, () => {
            const before = tf.memory().numTensors;
            const arrays = createOptimizer(id, hp).arrays as ArrayOptimizer<CompiledRuleState>;
            const compiled = compiledRun(arrays, n, lr);
            const tensors = tensorRun(createOptimizer(id, hp), n, lr);
            assert.equal(tf.memory().numTensors, before, 'tensors leaked');
            assert.equal(compiled.state.slots[0].kernel.wasmLoops > 0, n >= 32, 'WebAssembly loops exactly at the larger size');
            compiled.xs.forEach((x, k) => assert.equal(firstDifference(x, tensors[k]), undefined, `step ${k + 1}`));
            compiled.updateNormSq.forEach((q, k) => {
              const prev = k === 0 ? start(n) : compiled.xs[k - 1];
              // The program sums float32 differences (param' − param is one of its outputs): 1e-6, not bits.
              const measured = compiled.xs[k].reduce((s, v, i) => s + (v - prev[i]) ** 2, 0);
              assert.ok(Math.abs(q - measured) <= 1e-6 * measured, `updateNormSq at step ${k + 1}: ${q} vs ${measured}`);
            });
            assert.ok(compiled.xs[STEPS - 1].some((v, i) => Math.abs(v - start(n)[i]) > 1e-3), 'the run moves');
            // Without weight decay the coordinate with zero gradient stays put (a zero step, not NaN, when eps = 0);
            // ASGD's λ also shrinks every parameter (θ·(1 − λη)), so there only with λ = 0.
            const resolved = createOptimizer(id, hp).hp;
            if (resolved.weight_decay === 0 && !resolved.lambd) assert.equal(compiled.xs[STEPS - 1][n - 1], start(n)[n - 1]);
          });
        }
      }
    }
  });
});
