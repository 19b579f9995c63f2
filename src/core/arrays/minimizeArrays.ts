import type { MinimizeResult, MinimizeStatus, StepMetrics } from '../minimize';
import type { Schedule } from '../schedule';
import type { ArrayObjective, ArrayOptimizer, ArrayStepInput, ArrayStepResult } from './contracts';
import { EvaluationPointRecords } from './evaluationPointRecords';

export interface MinimizeArraysOptions {
  /** Loss and gradient at x for update number `step` (stochastic objectives pick the batch from it). */
  objective: ArrayObjective;
  /** Starting point (copied; never written). */
  x0: Float32Array;
  optimizer: ArrayOptimizer;
  schedule: Schedule;
  steps: number;
  /**
   * Rewrites the gradient the optimizer sees (clipping, noise), in place. The
   * record's gradNorm is that of the raw gradient, measured before this runs.
   */
  transformGradient?(grad: Float32Array, step: number, lr: number): void;
  /**
   * Projection onto the feasible set after every update, in place (projected gradient descent);
   * the record's updateNorm is then the projected step's.
   */
  project?(x: Float32Array): void;
  /** Receives metrics in batches, in step order. */
  onMetrics?(batch: readonly StepMetrics[]): void;
  /** Called between steps; return true to stop ('cancelled'). */
  isCancelled?(): boolean;
  /** Wall-clock limit in ms; the run ends with 'time-limit'. */
  timeLimitMs?: number;
  /**
   * Emit metrics at least this often (ms), and yield to the event loop at most
   * this often so cancel messages are seen: bounds cancellation latency.
   */
  flushIntervalMs?: number;
  /** Also copy each record's parameters into it (small problems: the dashboard draws the path). */
  recordParams?: boolean;
  /**
   * Hook between steps (curvature sampling); receives the current parameters,
   * which it must not keep (the buffer is overwritten two steps later). Awaited
   * only when it returns a promise.
   */
  afterStep?(step: number, x: Float32Array): Promise<void> | void;
  /** Whether afterStep runs after update `step` (absent: after every update); lets a sparse async hook cost nothing in between. */
  afterStepDue?(step: number): boolean;
}

export interface MinimizeArraysResult extends Omit<MinimizeResult, 'params'> {
  /** Parameters after the last good update (a copy owned by the caller). */
  readonly params: Float32Array;
}

/** Mutable twin of ArrayStepInput: one object reused by every update (no allocation per step). */
type StepInputSlot = { -readonly [K in keyof ArrayStepInput]: ArrayStepInput[K] };

/** Most records held before a batch is handed over, so memory stays bounded between time-based flushes. */
function maxBatch(n: number, recordParams: boolean): number {
  return recordParams ? Math.max(1, Math.min(4096, Math.floor(4_194_304 / Math.max(1, n)))) : 4096;
}

/** Euclidean norm (summed in float64). */
function norm(v: Float32Array): number {
  let sq = 0;
  for (let i = 0; i < v.length; i++) sq += v[i] * v[i];
  return Math.sqrt(sq);
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The training loop of `minimize` (../minimize.ts) on plain Float32Arrays,
 * with the same records, statuses and result. The loss is known at once, so a
 * NaN/Inf loss or gradient stops the run before its update; the parameters
 * are double-buffered (x is read, xOut written, then swapped), so the previous
 * point is still in xOut when that happens. The hot loop allocates nothing
 * without onMetrics and awaits nothing without due async hooks: it yields to
 * the event loop once per `flushIntervalMs`.
 */
export async function minimizeArrays(o: MinimizeArraysOptions): Promise<MinimizeArraysResult> {
  const started = Date.now();
  const { objective, optimizer, schedule, onMetrics } = o;
  const n = objective.size;
  if (o.x0.length !== n) throw new Error(`x0 has ${o.x0.length} entries; the objective expects ${n}`);
  const flushMs = o.flushIntervalMs ?? 50;
  const recordParams = o.recordParams === true;
  const batchLimit = maxBatch(n, recordParams);

  let x: Float32Array = Float32Array.from(o.x0);
  let xOut: Float32Array = new Float32Array(n);
  let grad: Float32Array = new Float32Array(n);
  const state = optimizer.init(x);
  // Records (and the answer) at the optimizer's evaluation point when it has one: schedule-free's x.
  const judged = optimizer.evaluationPoint ? new EvaluationPointRecords((s, out) => optimizer.evaluationPoint?.(s, out), objective, n) : undefined;
  // Whatever ends the run (an error included), what the optimizer compiled may serve the next one.
  try {
    // The update's own arrays when it has them (views of its WebAssembly memory): no copies per step.
    const workspace = optimizer.workspace?.(state);
    if (workspace) {
      workspace.params[0].set(x);
      [x, xOut] = workspace.params;
      grad = workspace.grad;
    }
    let step = 0;
    const input: StepInputSlot = {
      params: x, paramsOut: xOut, grad, loss: NaN, lr: NaN, step: 0,
      evaluate: (y, gradOut) => objective.valueAndGrad(y, step, gradOut),
    };

    let evals = 0;
    let records: StepMetrics[] = [];
    let now = started;
    let lastFlush = started;
    let status: MinimizeStatus = 'completed';
    let divergedAt: number | undefined;
    let info: MinimizeResult['info'];
    // The last healthy record's loss and gradient norm (the result's `final` on divergence).
    let goodLoss = NaN;
    let goodGradNorm = NaN;

    const flush = (): void => {
      if (records.length === 0) return;
      const batch = records;
      records = [];
      onMetrics?.(batch);
    };

    try {
      for (; step < o.steps; step++) {
        if (o.isCancelled?.()) {
          status = 'cancelled';
          break;
        }
        if (o.timeLimitMs !== undefined && now - started > o.timeLimitMs) {
          status = 'time-limit';
          break;
        }
        const lr = schedule.lrAt(step);
        const loss = objective.valueAndGrad(x, step, grad);
        evals += 1;
        const evalsHere = evals;
        const gradNorm = objective.lastGradNormSq ? Math.sqrt(objective.lastGradNormSq()) : norm(grad);
        const recorded = judged ? judged.measure(state, step) : loss;
        if (!Number.isFinite(recorded) || !Number.isFinite(gradNorm)) {
          status = 'diverged';
          divergedAt = step;
          break;
        }
        schedule.observe(step, recorded);
        // The raw gradient for the path's record (the replay draws it), before clipping or noise rewrite it.
        const rawGrad = recordParams && onMetrics ? Array.from(grad) : undefined;
        o.transformGradient?.(grad, step, lr);
        input.params = x;
        input.paramsOut = xOut;
        input.loss = loss;
        input.lr = lr;
        input.step = step;
        const result: ArrayStepResult = optimizer.update(input, state);
        evals += result.extraEvals;
        info = result.info;
        let updateNormSq = result.updateNormSq;
        if (o.project) {
          o.project(xOut);
          updateNormSq = 0;
          for (let i = 0; i < n; i++) updateNormSq += (xOut[i] - x[i]) * (xOut[i] - x[i]);
        }
        now = Date.now();
        if (onMetrics) {
          const updateNorm = Math.sqrt(updateNormSq);
          const wallMs = now - started;
          records.push(
            recordParams
              ? { step, loss: recorded, gradNorm, updateNorm, lr, evals: evalsHere, wallMs, params: Array.from(judged ? judged.point : x), state: { grad: rawGrad ?? [] } }
              : { step, loss: recorded, gradNorm, updateNorm, lr, evals: evalsHere, wallMs },
          );
        }
        judged?.keep();
        goodLoss = recorded;
        goodGradNorm = gradNorm;
        const measured = x;
        x = xOut;
        xOut = measured;
        if (o.afterStep && (!o.afterStepDue || o.afterStepDue(step))) {
          const pending = o.afterStep(step, x);
          if (pending) {
            await pending;
            now = Date.now();
          }
        }
        if (records.length >= batchLimit) flush();
        if (now - lastFlush >= flushMs) {
          flush();
          await yieldToEventLoop();
          now = lastFlush = Date.now();
        }
      }
    } catch (e) {
      // Earlier results survive every error: the records before the throw reach onMetrics first.
      flush();
      throw e;
    }
    flush();

    if (status === 'diverged') {
      // x is the point that went bad; xOut still holds the one before it (x0 at step 0).
      return {
        status, divergedAt,
        params: step === 0 ? Float32Array.from(o.x0) : (judged?.previous ?? xOut).slice(),
        final: { loss: goodLoss, gradNorm: goodGradNorm },
        evals, stepsDone: step, wallMs: Date.now() - started, info,
      };
    }
    // The final point is measured after the last update (one more evaluation).
    const answer = judged ? judged.finalPoint(state) : x;
    const loss = objective.valueAndGrad(answer, step, grad);
    evals += 1;
    const gradNorm = objective.lastGradNormSq ? Math.sqrt(objective.lastGradNormSq()) : norm(grad);
    if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
      status = 'diverged';
      divergedAt = step;
    }
    return { status, divergedAt, params: answer.slice(), final: { loss, gradNorm }, evals, stepsDone: step, wallMs: Date.now() - started, info };
  } finally {
    optimizer.release?.(state);
  }
}
