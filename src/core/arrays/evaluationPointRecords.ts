import type { ArrayObjective } from './contracts';

/**
 * The array loop's records at an optimizer's evaluation point (schedule-free's average x) rather than at
 * the parameters, where the gradients are taken: the point of each record and the one before it (what a
 * divergence rolls back to), measured with a gradient buffer of their own.
 */
export class EvaluationPointRecords {
  /** The point of the last `measure`. */
  point: Float32Array;
  /** The point of the last healthy record (after `keep`). */
  previous: Float32Array;
  private readonly scratchGrad: Float32Array;

  constructor(
    /** The optimizer's ArrayOptimizer.evaluationPoint. */
    private readonly evaluationPoint: (state: unknown, out: Float32Array) => void,
    private readonly objective: ArrayObjective,
    n: number,
  ) {
    this.point = new Float32Array(n);
    this.previous = new Float32Array(n);
    this.scratchGrad = new Float32Array(n);
  }

  /** The loss at the evaluation point of `state` for update `step` (the point is then in `point`); not an evaluation the run counts. */
  measure(state: unknown, step: number): number {
    this.evaluationPoint(state, this.point);
    // The loss alone when the objective has it: no gradient is needed here.
    return this.objective.value ? this.objective.value(this.point, step) : this.objective.valueAndGrad(this.point, step, this.scratchGrad);
  }

  /** The last measured record was healthy: its point is now the one to roll back to. */
  keep(): void {
    [this.point, this.previous] = [this.previous, this.point];
  }

  /** The evaluation point of `state` after the last update: the run's answer. */
  finalPoint(state: unknown): Float32Array {
    this.evaluationPoint(state, this.point);
    return this.point;
  }
}
