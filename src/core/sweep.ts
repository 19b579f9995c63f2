import * as tf from '@tensorflow/tfjs';
import { resolveHyperparams, type HpRecord } from './hyperparams';
import { adam } from './optimizers/adam';
import { hpNumber, hpPair } from './optimizers/commonHyperparams';
import { sgd } from './optimizers/sgd';

/**
 * Learning-rate sweeps as one batched tensor program: K copies of the
 * parameters are the rows of one K×n matrix, the objective is evaluated on all
 * rows at once, and one update moves every row with its own lr. Per element the
 * arithmetic is the single-run op chain (same ops, same float32 roundings), so
 * each row follows its own run; 16 learning rates cost about one run's kernel
 * dispatches instead of sixteen.
 */

/** Losses of every row of X (K×n → K); row k must depend on row k only. */
export type BatchedObjective = (x: tf.Tensor2D) => tf.Tensor1D;

export interface SweepOptions {
  f: BatchedObjective;
  x0: tf.Tensor1D;
  lrs: readonly number[];
  /** 'adam' or 'sgd' (momentum, dampening); other hyperparameters are rejected. */
  optimizer: 'adam' | 'sgd';
  hp?: HpRecord;
  steps: number;
  /** Per step, each configuration's loss and gradient norm before the update, in batches. */
  onMetrics?(batch: readonly SweepMetrics[]): void;
  isCancelled?(): boolean;
}

export interface SweepMetrics {
  readonly step: number;
  readonly losses: Float32Array;
  readonly gradNorms: Float32Array;
}

export interface SweepRun {
  readonly lr: number;
  /** Loss and gradient norm after the last update (NaN once diverged). */
  readonly final: { readonly loss: number; readonly gradNorm: number };
  /** First step with a non-finite loss or gradient. */
  readonly divergedAt?: number;
  readonly params: Float32Array;
}

export interface SweepResult {
  readonly runs: SweepRun[];
  readonly stepsDone: number;
  readonly status: 'completed' | 'cancelled';
}

/** Steps of metrics kept on the backend before one read-back. */
const BATCH_STEPS = 64;

type Rule = (x: tf.Tensor2D, g: tf.Tensor2D, state: tf.Tensor2D[], t: number) => { x: tf.Tensor2D; state: tf.Tensor2D[] };

function ruleFor(o: SweepOptions): { rule: Rule; init: (x: tf.Tensor2D) => tf.Tensor2D[] } {
  const k = o.lrs.length;
  // A K×1 column of per-row scalars, rounded to float32 as the single run's scalar would be.
  const column = (values: number[]) => tf.tensor2d(values, [k, 1]);
  if (o.optimizer === 'adam') {
    const hp = resolveHyperparams('adam', adam.hyperparams, o.hp ?? {});
    if (hp.weight_decay !== 0 || hp.amsgrad) throw new Error('batched sweeps support Adam without weight_decay or amsgrad');
    const [beta1, beta2] = hpPair(hp, 'betas');
    const eps = hpNumber(hp, 'eps');
    if (!(Math.fround(eps) > 0)) throw new Error('batched sweeps need eps > 0');
    return {
      init: (x) => [tf.zerosLike(x), tf.zerosLike(x)],
      // Exactly adamLike's op chain (src/core/optimizers/adam.ts) with lr/(1 − β₁ᵗ) as a column.
      rule: (x, g, [m, v], t) => {
        const m2 = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)) as tf.Tensor2D;
        const v2 = tf.add(tf.mul(v, beta2), tf.mul(tf.mul(g, 1 - beta2), g)) as tf.Tensor2D;
        const denom = tf.add(tf.div(tf.sqrt(v2), Math.sqrt(1 - beta2 ** t)), eps);
        const step = tf.div(tf.mul(m2, column(o.lrs.map((lr) => lr / (1 - beta1 ** t)))), denom);
        return { x: tf.sub(x, step) as tf.Tensor2D, state: [m2, v2] };
      },
    };
  }
  const hp = resolveHyperparams('sgd', sgd.hyperparams, o.hp ?? {});
  if (hp.weight_decay !== 0 || hp.nesterov) throw new Error('batched sweeps support SGD without weight_decay or nesterov');
  const momentum = hpNumber(hp, 'momentum');
  const dampening = hpNumber(hp, 'dampening');
  return {
    init: () => [],
    // Exactly sgd.ts's op chain, with −lr as a column.
    rule: (x, g, state, t) => {
      let d: tf.Tensor2D = g;
      let next: tf.Tensor2D[] = [];
      if (momentum !== 0) {
        d = t === 1 ? g : (tf.add(tf.mul(state[0], momentum), tf.mul(g, 1 - dampening)) as tf.Tensor2D);
        next = [d === g ? g.clone() : d];
      }
      return { x: tf.add(x, tf.mul(d, column(o.lrs.map((lr) => -lr)))) as tf.Tensor2D, state: next };
    },
  };
}

/** Runs every lr for `steps` updates at once. */
export async function sweep(o: SweepOptions): Promise<SweepResult> {
  const k = o.lrs.length;
  if (k === 0) throw new Error('a sweep needs at least one learning rate');
  const { rule, init } = ruleFor(o);
  const valueAndGrad = tf.valueAndGrad((x: tf.Tensor) => o.f(x as tf.Tensor2D) as unknown as tf.Scalar);
  let x = tf.tidy(() => tf.tile(tf.reshape(o.x0, [1, -1]), [k, 1])) as tf.Tensor2D;
  let state = tf.tidy(() => init(x));
  const divergedAt: (number | undefined)[] = new Array(k).fill(undefined);
  let pending: { step: number; values: tf.Tensor }[] = [];
  let stepsDone = 0;
  let status: SweepResult['status'] = 'completed';

  const flush = async () => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    const stacked = tf.concat(batch.map((p) => p.values));
    const values = (await stacked.data()) as Float32Array;
    tf.dispose([stacked, ...batch.map((p) => p.values)]);
    const records = batch.map((p, i) => {
      const losses = values.slice(2 * k * i, 2 * k * i + k);
      const gradNorms = values.slice(2 * k * i + k, 2 * k * (i + 1)).map(Math.sqrt);
      for (let j = 0; j < k; j++) {
        if (divergedAt[j] === undefined && !(Number.isFinite(losses[j]) && Number.isFinite(gradNorms[j]))) divergedAt[j] = p.step;
      }
      return { step: p.step, losses, gradNorms };
    });
    o.onMetrics?.(records);
  };

  for (let step = 0; step < o.steps; step++) {
    if (o.isCancelled?.()) {
      status = 'cancelled';
      break;
    }
    const out = tf.tidy(() => {
      const { value, grad } = valueAndGrad(x);
      // Losses and squared gradient norms per row; square roots on read-back.
      const values = tf.concat([tf.reshape(value, [k]), tf.sum(tf.square(grad), 1)]);
      return { values, ...rule(x, grad as tf.Tensor2D, state, step + 1) };
    });
    tf.dispose([x, ...state.filter((s) => !out.state.includes(s))]);
    x = out.x;
    state = out.state;
    pending.push({ step, values: out.values });
    stepsDone = step + 1;
    if (pending.length >= BATCH_STEPS) await flush();
  }
  await flush();
  const finals = tf.tidy(() => {
    const { value, grad } = valueAndGrad(x);
    return tf.concat([tf.reshape(value, [k]), tf.sum(tf.square(grad), 1)]);
  });
  const [finalValues, params] = (await Promise.all([finals.data(), x.data()])) as Float32Array[];
  tf.dispose([finals, x, ...state]);
  const n = o.x0.size;
  const runs = o.lrs.map((lr, j) => ({
    lr,
    final: { loss: finalValues[j], gradNorm: Math.sqrt(finalValues[k + j]) },
    ...(divergedAt[j] !== undefined ? { divergedAt: divergedAt[j] } : {}),
    params: Float32Array.from(params.subarray(j * n, (j + 1) * n)),
  }));
  return { runs, stepsDone, status };
}
