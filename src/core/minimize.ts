import * as tf from '@tensorflow/tfjs';
import type { Evaluation, Optimizer, OptimizerState } from './optimizer';
import type { Schedule } from './schedule';

/** One step's metrics, read back from the backend in batches. */
export interface StepMetrics {
  /** k-th record is measured at the parameters before the k-th update. */
  readonly step: number;
  readonly loss: number;
  /** Norm of the raw gradient (before clipping or noise). */
  readonly gradNorm: number;
  readonly updateNorm: number;
  readonly lr: number;
  /** Evaluations performed to reach and measure this point. */
  readonly evals: number;
  readonly wallMs: number;
  /** The parameters this record was measured at (only with `recordParams`). */
  readonly params?: number[];
  /** The raw gradient there (with `recordParams`) and, every `stateEvery` steps, the optimizer's vectors after this update. */
  readonly state?: StepState;
}

/** What the replay draws at a path point (src/protocol/pathState.ts). */
export interface StepState {
  readonly grad: number[];
  readonly moment?: number[];
  readonly momentKey?: string;
  readonly effectiveStep?: number[];
}

/** State keys read as the first moment, in order of preference. */
const MOMENT_KEYS = ['exp_avg', 'momentum_buffer', 'grad_avg', 'exp_avg_fast'];

export type MinimizeStatus = 'completed' | 'cancelled' | 'diverged' | 'time-limit';

export interface MinimizeOptions {
  /** Loss and gradient at x for update number `step` (stochastic objectives pick the batch from it). */
  evaluate(x: tf.Tensor1D, step: number): Evaluation;
  x0: tf.Tensor1D;
  optimizer: Optimizer;
  schedule: Schedule;
  steps: number;
  /** The loss alone at x for update `step`: the records at the optimizer's evaluation point (absent: `evaluate`'s loss). */
  loss?(x: tf.Tensor1D, step: number): tf.Scalar;
  /** Hessian-vector product at x for update `step` (second-order methods; counts as one evaluation). */
  hvp?(x: tf.Tensor1D, v: tf.Tensor1D, step: number): tf.Tensor1D;
  /** Rewrites the gradient the optimizer sees (clipping, noise); must not dispose its input. */
  transformGradient?(grad: tf.Tensor1D, step: number, lr: number): tf.Tensor1D;
  /** Projection onto the feasible set, applied after every update. */
  project?(x: tf.Tensor1D): tf.Tensor1D;
  /** Receives metrics in batches, in step order. */
  onMetrics?(batch: readonly StepMetrics[]): void;
  /** Called between steps; return true to stop ('cancelled'). */
  isCancelled?(): boolean;
  /** Wall-clock limit in ms; the run ends with 'time-limit'. */
  timeLimitMs?: number;
  /** Read metrics back at least this often (ms): bounds cancellation latency. */
  flushIntervalMs?: number;
  /** Also read back each record's parameters (small problems: the dashboard draws the path); same single read per batch. */
  recordParams?: boolean;
  /** With recordParams: also read back the optimizer's first moment and effective step every this many steps (its `inspect`). */
  stateEvery?: number;
  /** Hook between steps (curvature sampling); receives the current parameters. */
  afterStep?(step: number, x: tf.Tensor1D): Promise<void> | void;
}

export interface MinimizeResult {
  readonly status: MinimizeStatus;
  /** Step at which the loss or gradient first became NaN/Inf (status 'diverged'). */
  readonly divergedAt?: number;
  /** Parameters after the last good update (owned by the caller). */
  readonly params: tf.Tensor1D;
  readonly final: { readonly loss: number; readonly gradNorm: number };
  readonly evals: number;
  readonly stepsDone: number;
  readonly wallMs: number;
  readonly info?: Readonly<Record<string, number | boolean | number[]>>;
}

interface Pending {
  step: number;
  lr: number;
  evals: number;
  wallMs: number;
  /** Loss, ‖grad‖² and ‖update‖² still on the backend (square roots are taken on read-back). */
  values: [tf.Tensor, tf.Scalar, tf.Scalar];
  /** Parameters this record was measured at: kept until read back, so a divergence can roll back to them. */
  params: tf.Tensor1D;
  /** With recordParams: [grad, moment?, effectiveStep?] concatenated, read back with the params. */
  state?: { values: tf.Tensor1D; momentKey?: string; effective: boolean };
}

/** The gradient and, on a step `stateEvery` divides, the optimizer's vectors after the update (one tensor). */
function stateOf(o: MinimizeOptions, grad: tf.Tensor1D, state: OptimizerState, step: number): Pending['state'] {
  if (!o.recordParams) return undefined;
  const inspected = o.stateEvery && step % o.stateEvery === 0 && o.optimizer.inspect ? o.optimizer.inspect(state) : {};
  const momentKey = MOMENT_KEYS.find((k) => inspected[k]?.size === grad.size);
  const effective = inspected.effective_step?.size === grad.size;
  const values = tf.tidy(() => tf.concat([
    grad, ...(momentKey ? [tf.reshape(inspected[momentKey], [-1])] : []), ...(effective ? [tf.reshape(inspected.effective_step, [-1])] : []),
  ]) as tf.Tensor1D);
  // inspect's views are new tensors; the state's own tensors stay with the state.
  const own = new Set(Object.values(state));
  for (const t of Object.values(inspected)) if (!own.has(t)) t.dispose();
  return { values, ...(momentKey ? { momentKey } : {}), effective };
}

/** Reads a pending state back from `values` at `at`; returns the record's field. */
function readState(p: NonNullable<Pending['state']>, values: tf.TypedArray, at: number, n: number): StepState {
  const part = (k: number) => Array.from(values.subarray(at + k * n, at + (k + 1) * n));
  return {
    grad: part(0),
    ...(p.momentKey ? { moment: part(1), momentKey: p.momentKey } : {}),
    ...(p.effective ? { effectiveStep: part(p.momentKey ? 2 : 1) } : {}),
  };
}

/**
 * The point and loss the record of `step` is taken at when the optimizer has an evaluation point
 * (schedule-free's x; gradients stay at the parameters). Not counted as an evaluation: no gradient is needed.
 */
function atEvaluationPoint(o: MinimizeOptions, x: tf.Tensor1D, state: OptimizerState, step: number): { loss: tf.Scalar; params: tf.Tensor1D } | undefined {
  if (!o.optimizer.evaluationPoint) return undefined;
  const params = o.optimizer.evaluationPoint(x, state);
  if (o.loss) return { params, loss: o.loss(params, step) };
  const ev = o.evaluate(params, step);
  ev.grad.dispose();
  return { params, loss: ev.loss };
}

/** ‖v‖² as one square and one sum (caller disposes). */
function squaredNorm(v: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.square(v)));
}

/** Enough pending parameter copies to batch read-backs without holding much memory. */
function maxPending(n: number): number {
  return Math.max(1, Math.min(64, Math.floor(4_194_304 / Math.max(1, n))));
}

/**
 * The training loop. No synchronous read-back per step: metrics stay on the
 * backend and are read in batches (by count and by time, so cancellation is
 * noticed within `flushIntervalMs`). A NaN/Inf loss or gradient stops the run at
 * the first bad step, keeping every earlier record.
 */
export async function minimize(o: MinimizeOptions): Promise<MinimizeResult> {
  const started = Date.now();
  const flushMs = o.flushIntervalMs ?? 50;
  const batchLimit = o.schedule.needsLoss ? 1 : maxPending(o.x0.size);
  let x = o.x0.clone();
  let state: OptimizerState = o.optimizer.init(x);
  let evals = 0;
  let pending: Pending[] = [];
  let lastFlush = Date.now();
  let lastGood: { params: tf.Tensor1D; loss: number; gradNorm: number } | undefined;
  let status: MinimizeStatus = 'completed';
  let divergedAt: number | undefined;
  let stepsDone = 0;
  let info: MinimizeResult['info'];

  const flush = async (): Promise<boolean> => {
    if (pending.length === 0) return true;
    const batch = pending;
    pending = [];
    // One read-back for the whole batch: a single concat of its scalars (then, when asked, of its parameters).
    const stacked = tf.tidy(() => tf.concat([
      ...batch.flatMap((p) => p.values.map((v) => tf.reshape(v, [1]))),
      ...(o.recordParams ? batch.map((p) => p.params) : []),
      ...batch.flatMap((p) => (p.state ? [p.state.values] : [])),
    ]));
    const values = await stacked.data();
    stacked.dispose();
    const n = o.x0.size;
    const paramsAt = (i: number): number[] => Array.from(values.subarray(3 * batch.length + i * n, 3 * batch.length + (i + 1) * n));
    const records: StepMetrics[] = [];
    let healthy = true;
    let stateAt = 3 * batch.length + (o.recordParams ? batch.length * n : 0);
    for (let i = 0; i < batch.length; i++) {
      const p = batch[i];
      const [loss, gradNorm, updateNorm] = [values[3 * i], Math.sqrt(values[3 * i + 1]), Math.sqrt(values[3 * i + 2])];
      tf.dispose(p.values);
      const state = p.state ? readState(p.state, values, stateAt, n) : undefined;
      if (p.state) {
        stateAt += p.state.values.size;
        p.state.values.dispose();
      }
      if (!healthy) {
        p.params.dispose();
        continue;
      }
      if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
        healthy = false;
        divergedAt = p.step;
        p.params.dispose();
        continue;
      }
      records.push({
        step: p.step, loss, gradNorm, updateNorm, lr: p.lr, evals: p.evals, wallMs: p.wallMs,
        ...(o.recordParams ? { params: paramsAt(i) } : {}),
        ...(state ? { state } : {}),
      });
      o.schedule.observe(p.step, loss);
      lastGood?.params.dispose();
      lastGood = { params: p.params, loss, gradNorm };
    }
    if (records.length > 0) o.onMetrics?.(records);
    lastFlush = Date.now();
    return healthy;
  };

  try {
    for (let step = 0; step < o.steps; step++) {
      if (o.isCancelled?.()) {
        status = 'cancelled';
        break;
      }
      if (o.timeLimitMs !== undefined && Date.now() - started > o.timeLimitMs) {
        status = 'time-limit';
        break;
      }
      const lr = o.schedule.lrAt(step);
      const ev = o.evaluate(x, step);
      evals += 1;
      const evalsHere = evals;
      // Taken before the update: the record of `step` is measured at the state before update `step`.
      const judged = atEvaluationPoint(o, x, state, step);
      const grad = o.transformGradient ? o.transformGradient(ev.grad, step, lr) : ev.grad;
      const result = o.optimizer.update(
        {
          params: x,
          loss: ev.loss,
          grad,
          lr,
          step,
          evaluate: (y) => o.evaluate(y, step),
          hvp: (y, v) => {
            if (!o.hvp) throw new Error(`optimizer '${o.optimizer.id}' needs Hessian-vector products; none were given`);
            return o.hvp(y, v, step);
          },
        },
        state,
      );
      evals += result.extraEvals;
      state = result.state;
      info = result.info;
      let next = result.params;
      if (o.project) {
        const projected = o.project(next);
        if (projected !== next) next.dispose();
        next = projected;
      }
      // Squared norms (sqrt on the host): tf.norm goes through pow(|g|, 2), ten times slower than square on wasm.
      const values: Pending['values'] = [judged?.loss ?? ev.loss, squaredNorm(ev.grad), tf.tidy(() => squaredNorm(tf.sub(next, x)))];
      const recorded = stateOf(o, ev.grad, state, step);
      pending.push({ step, lr, evals: evalsHere, wallMs: Date.now() - started, values, params: judged?.params ?? x, ...(recorded ? { state: recorded } : {}) });
      if (grad !== ev.grad) grad.dispose();
      ev.grad.dispose();
      if (judged) {
        ev.loss.dispose();
        x.dispose();
      }
      x = next;
      stepsDone = step + 1;
      if (o.afterStep) await o.afterStep(step, x);
      if (pending.length >= batchLimit || Date.now() - lastFlush >= flushMs) {
        if (!(await flush())) {
          status = 'diverged';
          break;
        }
      }
    }
  } catch (e) {
    // Earlier results survive every error: records measured before an update or the objective threw
    // reach onMetrics before the error propagates. The failed step's own tensors are the caller's
    // scope's to dispose (the runner runs every loop in one engine scope).
    await flush().catch(() => undefined);
    lastGood?.params.dispose();
    x.dispose();
    o.optimizer.disposeState(state as never);
    throw e;
  }
  if (status !== 'diverged' && !(await flush())) status = 'diverged';
  if (status !== 'diverged' && o.optimizer.evaluationPoint) {
    // The answer is the evaluation point: the final record and the returned parameters are taken there.
    const point = o.optimizer.evaluationPoint(x, state);
    x.dispose();
    x = point;
  }
  o.optimizer.disposeState(state as never);

  if (status === 'diverged') {
    for (const p of pending) {
      tf.dispose(p.values);
      p.params.dispose();
      p.state?.values.dispose();
    }
    x.dispose();
    const params = lastGood?.params ?? o.x0.clone();
    return {
      status,
      divergedAt,
      params,
      final: { loss: lastGood?.loss ?? NaN, gradNorm: lastGood?.gradNorm ?? NaN },
      evals,
      stepsDone: divergedAt ?? 0,
      wallMs: Date.now() - started,
      info,
    };
  }
  lastGood?.params.dispose();
  // The final point is measured after the last update (one more evaluation).
  const ev = o.evaluate(x, stepsDone);
  evals += 1;
  const finalValues = tf.tidy(() => tf.stack([ev.loss.reshape([]), squaredNorm(ev.grad)]));
  const [loss, gradNormSq] = await finalValues.data();
  const gradNorm = Math.sqrt(gradNormSq);
  finalValues.dispose();
  ev.loss.dispose();
  ev.grad.dispose();
  if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
    status = 'diverged';
    divergedAt = stepsDone;
  }
  return { status, divergedAt, params: x, final: { loss, gradNorm }, evals, stepsDone, wallMs: Date.now() - started, info };
}
