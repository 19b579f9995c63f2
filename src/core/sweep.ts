import * as tf from '@tensorflow/tfjs';
import { resolveHyperparams, type HpRecord } from './hyperparams';
import { FIRST_ORDER_RULES } from './optimizers/firstOrder';
import { RuleOnRows } from './rules/ruleOnRows';
import { ruleHyperparamSpecs } from './rules/ruleFactory';

/**
 * Learning-rate sweeps as one batched tensor program: K copies of the
 * parameters are the rows of one K×n matrix, the objective is evaluated on all
 * rows at once, and one update moves every row with its own lr. Per element the
 * arithmetic is the single-run op chain (same ops, same float32 roundings), so
 * each row follows its own run; 16 learning rates cost about one run's kernel
 * dispatches instead of sixteen. The update is the built-in's rule run on
 * the matrix, each row's lr-dependent numbers as a K×1 column (./rules/ruleOnRows.ts).
 */

/** Losses of every row of X (K×n → K); row k must depend on row k only. */
export type BatchedObjective = (x: tf.Tensor2D) => tf.Tensor1D;

export interface SweepOptions {
  f: BatchedObjective;
  x0: tf.Tensor1D;
  lrs: readonly number[];
  /** An elementwise built-in's id ('adam', 'sgd', …: src/core/optimizers/firstOrder.ts), with its hyperparameters in `hp`. */
  optimizer: string;
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

/** The optimizer's rule on the K×n matrix of parameters, one lr per row. */
function rowsRuleFor(o: SweepOptions): RuleOnRows {
  const builtIn = FIRST_ORDER_RULES.find((r) => r.id === o.optimizer);
  if (!builtIn) throw new Error(`batched sweeps run the elementwise built-ins (${FIRST_ORDER_RULES.map((r) => r.id).join(', ')}), not '${o.optimizer}'`);
  const hp = resolveHyperparams(builtIn.id, ruleHyperparamSpecs(builtIn.rule), o.hp ?? {});
  return new RuleOnRows(builtIn.id, builtIn.rule, hp, o.lrs);
}

/** Runs every lr for `steps` updates at once. */
export async function sweep(o: SweepOptions): Promise<SweepResult> {
  const k = o.lrs.length;
  if (k === 0) throw new Error('a sweep needs at least one learning rate');
  const rule = rowsRuleFor(o);
  const valueAndGrad = tf.valueAndGrad((x: tf.Tensor) => o.f(x as tf.Tensor2D) as unknown as tf.Scalar);
  let x = tf.tidy(() => tf.tile(tf.reshape(o.x0, [1, -1]), [k, 1])) as tf.Tensor2D;
  let state = rule.init(x);
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
      return { values, ...rule.update(x, grad as tf.Tensor2D, state, step + 1) };
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
