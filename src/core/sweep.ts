import type * as tf from '@tensorflow/tfjs';
import { minimizeArrays } from './arrays/minimizeArrays';
import { TensorCopies } from './arrays/tensorCopies';
import { resolveHyperparams, type HpRecord } from './hyperparams';
import { FIRST_ORDER_RULES } from './optimizers/firstOrder';
import { RuleOnRows } from './rules/ruleOnRows';
import { ruleHyperparamSpecs } from './rules/ruleFactory';
import { constantSchedule } from './schedule';
import { RowsObjective, rowsOptimizer, type BatchedObjective } from './sweepRows';

/**
 * Learning-rate sweeps as one batched tensor program on the one training loop (./arrays/minimizeArrays.ts):
 * K copies of the parameters are the rows of one K×n matrix, which is the loop's parameter array; the
 * objective is evaluated on all rows at once, and one update moves every row with its own lr. Per element
 * the arithmetic is the single-run op chain (same ops, same float32 roundings), so each row follows its
 * own run; 16 learning rates cost about one run's kernel dispatches instead of sixteen. The update is the
 * built-in's rule run on the matrix, each row's lr-dependent numbers as a K×1 column
 * (./rules/ruleOnRows.ts); the loop's adapters, and why a row's divergence does not stop the loop, are in
 * ./sweepRows.ts. Each row's losses and gradient norms are recorded after every update (the loop's
 * afterStep) and handed over in batches.
 */

export type { BatchedObjective } from './sweepRows';

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

/** Steps of metrics handed to onMetrics at once. */
const BATCH_STEPS = 64;

/** The optimizer's rule on the K×n matrix of parameters, one lr per row. */
function rowsRuleFor(o: SweepOptions): RuleOnRows {
  const builtIn = FIRST_ORDER_RULES.find((r) => r.id === o.optimizer);
  if (!builtIn) throw new Error(`batched sweeps run the elementwise built-ins (${FIRST_ORDER_RULES.map((r) => r.id).join(', ')}), not '${o.optimizer}'`);
  const hp = resolveHyperparams(builtIn.id, ruleHyperparamSpecs(builtIn.rule), o.hp ?? {});
  return new RuleOnRows(builtIn.id, builtIn.rule, hp, o.lrs);
}

/** Every row's records, step by step, and the first step each row went bad. */
class RowRecords {
  readonly divergedAt: (number | undefined)[];
  private pending: SweepMetrics[] = [];

  constructor(private readonly rows: RowsObjective, private readonly onMetrics: SweepOptions['onMetrics']) {
    this.divergedAt = new Array(rows.losses.length).fill(undefined);
  }

  /** The rows' loss and gradient norm measured before update `step`. */
  record(step: number): void {
    const losses = this.rows.losses.slice();
    const gradNorms = Float32Array.from(this.rows.gradNormsSq, Math.sqrt);
    for (let j = 0; j < losses.length; j++) {
      if (this.divergedAt[j] === undefined && !(Number.isFinite(losses[j]) && Number.isFinite(gradNorms[j]))) this.divergedAt[j] = step;
    }
    if (!this.onMetrics) return;
    this.pending.push({ step, losses, gradNorms });
    if (this.pending.length >= BATCH_STEPS) this.flush();
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.onMetrics?.(batch);
  }
}

/** Runs every lr for `steps` updates at once. */
export async function sweep(o: SweepOptions): Promise<SweepResult> {
  const k = o.lrs.length;
  if (k === 0) throw new Error('a sweep needs at least one learning rate');
  const rule = rowsRuleFor(o);
  const n = o.x0.size;
  const start = o.x0.dataSync();
  const x0 = new Float32Array(k * n);
  for (let j = 0; j < k; j++) x0.set(start, j * n);
  const tensors = new TensorCopies<tf.Tensor2D>([k, n]);
  try {
    const rows = new RowsObjective(o.f, k, n, tensors);
    const records = new RowRecords(rows, o.onMetrics);
    const result = await minimizeArrays({
      objective: rows,
      x0,
      optimizer: rowsOptimizer(rule, k, n, tensors),
      // Each row's lr is the rule's (RuleOnRows): the loop's own is never read.
      schedule: constantSchedule(NaN),
      steps: o.steps,
      ...(o.isCancelled ? { isCancelled: o.isCancelled } : {}),
      afterStep: (step) => records.record(step),
    });
    records.flush();
    // The loop measured the final point last: the rows hold its losses and gradients.
    const runs = o.lrs.map((lr, j) => {
      const divergedAt = records.divergedAt[j];
      return {
        lr,
        final: { loss: rows.losses[j], gradNorm: Math.sqrt(rows.gradNormsSq[j]) },
        ...(divergedAt !== undefined ? { divergedAt } : {}),
        params: result.params.slice(j * n, (j + 1) * n),
      };
    });
    return { runs, stepsDone: result.stepsDone, status: result.status === 'cancelled' ? 'cancelled' : 'completed' };
  } finally {
    tensors.dispose();
  }
}
