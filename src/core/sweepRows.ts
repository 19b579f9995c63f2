import * as tf from '@tensorflow/tfjs';
import type { ArrayObjective, ArrayOptimizer, ArrayStepInput, ArrayStepResult } from './arrays/contracts';
import type { TensorCopies } from './arrays/tensorCopies';
import type { RuleOnRows } from './rules/ruleOnRows';

/**
 * A batched lr sweep (./sweep.ts) as the training loop's contracts: the K×n matrix of parameters is the
 * loop's flat K·n array, row after row; the objective is evaluated on every row at once and the rule moves
 * every row with its own lr (./rules/ruleOnRows.ts). `TensorCopies` hands the loop's arrays back to the
 * tensor calls as the K×n tensors they came from, as for any run on tensors (./arrays/tensorsOnArrays.ts).
 */

/** Losses of every row of X (K×n → K); row k must depend on row k only. */
export type BatchedObjective = (x: tf.Tensor2D) => tf.Tensor1D;

/** The loop's arrays as K×n tensors. */
export type RowTensors = TensorCopies<tf.Tensor2D>;

/** ‖a − b‖² summed in float64. */
function squaredDistance(a: Float32Array, b: Float32Array): number {
  let sq = 0;
  for (let i = 0; i < a.length; i++) sq += (a[i] - b[i]) * (a[i] - b[i]);
  return sq;
}

/**
 * The sweep's objective on the flat K·n array. Each row's loss and squared gradient norm (float64, as a
 * single run's loop sums it) are kept from the last evaluation for the sweep's records. The loop itself
 * sees the sums over the rows that are still finite: it ends a run at a non-finite loss, while a sweep's
 * rows diverge one at a time and the others go on (each row's divergence is the sweep's to record).
 */
export class RowsObjective implements ArrayObjective {
  readonly size: number;
  /** Per row: the loss at the last point evaluated. */
  readonly losses: Float32Array;
  /** Per row: ‖∇‖² at the last point evaluated. */
  readonly gradNormsSq: Float64Array;
  private finiteGradNormSq = 0;
  private readonly valueAndGradient: (x: tf.Tensor2D) => { value: tf.Tensor1D; grad: tf.Tensor2D };

  constructor(f: BatchedObjective, private readonly rows: number, private readonly cols: number, private readonly tensors: RowTensors) {
    this.size = rows * cols;
    this.losses = new Float32Array(rows);
    this.gradNormsSq = new Float64Array(rows);
    // Every row's gradient at once: the rows are independent, so the gradient of their losses' sum.
    this.valueAndGradient = tf.valueAndGrad(f);
  }

  valueAndGrad(x: Float32Array, _step: number, gradOut: Float32Array): number {
    const { rows, cols } = this;
    const { value, grad } = this.tensors.use(x, (matrix) => this.valueAndGradient(matrix));
    this.losses.set(value.dataSync());
    value.dispose();
    gradOut.set(grad.dataSync());
    this.tensors.set(gradOut, grad);
    let finiteLoss = 0;
    this.finiteGradNormSq = 0;
    for (let r = 0; r < rows; r++) {
      let sq = 0;
      for (let i = r * cols; i < (r + 1) * cols; i++) sq += gradOut[i] * gradOut[i];
      this.gradNormsSq[r] = sq;
      if (Number.isFinite(this.losses[r]) && Number.isFinite(sq)) {
        finiteLoss += this.losses[r];
        this.finiteGradNormSq += sq;
      }
    }
    return finiteLoss;
  }

  lastGradNormSq(): number {
    return this.finiteGradNormSq;
  }
}

/** The rows' rule state: its K×n tensors. */
interface RowsState {
  tensors: tf.Tensor[];
}

/** RuleOnRows as the loop's optimizer on the flat K·n array (each row's lr is the rule's; the loop's lr is not read). */
export function rowsOptimizer(rule: RuleOnRows, rows: number, cols: number, tensors: RowTensors): ArrayOptimizer<RowsState> {
  const update = (input: ArrayStepInput, state: RowsState): ArrayStepResult => {
    const out = tensors.use(input.params, (params) => tensors.use(input.grad, (grad) => tf.tidy(() => {
      const moved = rule.update(params, grad, state.tensors, input.step + 1);
      // The loop's arrays own their tensors: a state that keeps one (SGD's first momentum buffer is the gradient) keeps a clone.
      return { x: moved.x, state: moved.state.map((s) => (s === params || s === grad ? s.clone() : s)) };
    })));
    tf.dispose(state.tensors.filter((s) => !out.state.includes(s)));
    state.tensors = out.state;
    input.paramsOut.set(out.x.dataSync());
    tensors.set(input.paramsOut, out.x);
    return { updateNormSq: squaredDistance(input.paramsOut, input.params), extraEvals: 0 };
  };
  return {
    init(params) {
      const matrix = tf.tensor2d(params.slice(), [rows, cols]);
      // The first evaluation and update get this tensor instead of copies of their own.
      tensors.set(params, matrix);
      return { tensors: rule.init(matrix) };
    },
    update,
    release: (state) => tf.dispose(state.tensors),
  };
}
