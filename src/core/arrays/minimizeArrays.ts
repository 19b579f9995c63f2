import type { MinimizeResult, MinimizeStatus, StepMetrics } from '../loopRecords';
import type { Schedule } from '../schedule';
import type { ArrayObjective, ArrayOptimizer, ArrayStepInput } from './contracts';
import { EvaluationPointRecords } from './evaluationPointRecords';
import { recordedState } from './recordedState';

export interface MinimizeArraysOptions {
  /** Loss and gradient at x for update number `step` (stochastic objectives pick the batch from it). */
  objective: ArrayObjective;
  /** Starting point (copied; never written). */
  x0: Float32Array;
  optimizer: ArrayOptimizer;
  schedule: Schedule;
  steps: number;
  /**
   * Rewrites the gradient the optimizer sees (clipping, noise: ../gradientTransforms.ts), in place. The
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
  /** Also copy each record's parameters and raw gradient into it (small problems: the dashboard draws the path). */
  recordParams?: boolean;
  /** With recordParams: also copy the optimizer's first moment and effective step every this many steps (its `inspect`). */
  stateEvery?: number;
  /**
   * Hook between steps (curvature sampling); receives the current parameters,
   * which it must not keep (the buffer is overwritten two steps later). Awaited
   * only when it returns a promise.
   */
  afterStep?(step: number, x: Float32Array): Promise<void> | void;
  /** Whether afterStep runs after update `step` (absent: after every update); lets a sparse async hook cost nothing in between. */
  afterStepDue?(step: number): boolean;
  /**
   * An array of the objective's length the caller has no further use for (the plan's probe gradient,
   * pages already touched): the loop's gradient buffer, or the answer's copy, instead of a new array.
   * The result's params may be this array.
   */
  spare?: Float32Array;
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

/** ‖v‖² summed in float64. */
function squaredNorm(v: Float32Array): number {
  let sq = 0;
  for (let i = 0; i < v.length; i++) sq += v[i] * v[i];
  return sq;
}

/** ‖a − b‖² summed in float64. */
function squaredDistance(a: Float32Array, b: Float32Array): number {
  let sq = 0;
  for (let i = 0; i < a.length; i++) sq += (a[i] - b[i]) * (a[i] - b[i]);
  return sq;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The training loop, the only one: compiled objectives run here directly, objectives and optimizers on
 * tensors through ../minimize.ts's adapters. The loss is known at once, so a NaN/Inf loss or gradient
 * stops the run before its update; the parameters are double-buffered (x is read, xOut written, then
 * swapped), so the previous point is still in xOut when that happens. The hot loop allocates nothing
 * without onMetrics and awaits nothing without due async hooks: it yields to the event loop once per
 * `flushIntervalMs`.
 */
export async function minimizeArrays(o: MinimizeArraysOptions): Promise<MinimizeArraysResult> {
  const n = o.objective.size;
  if (o.x0.length !== n) throw new Error(`x0 has ${o.x0.length} entries; the objective expects ${n}`);
  // An optimizer with a workspace (a compiled rule) only reads x0 at init, then takes it into its own memory: no copy of the length.
  const x = o.optimizer.workspace ? o.x0 : Float32Array.from(o.x0);
  const state = o.optimizer.init(x);
  // Whatever ends the run (an error included), what the optimizer compiled may serve the next one.
  try {
    const run = new TrainingRun(o, state, x);
    await run.loop();
    // The last records, out here rather than at the loop's end: flush runs once per run there, long enough
    // apart for the engine to drop its feedback, and the loop's optimized code (flush inlined) then
    // deoptimized at the end of every run, so the next run's loop started unoptimized.
    run.flush();
    return run.result();
  } finally {
    o.optimizer.release?.(state);
  }
}

/** One run's buffers, counters and records; `loop` drives it, `result` measures the answer. */
class TrainingRun {
  private readonly started = Date.now();
  private x: Float32Array;
  private xOut: Float32Array;
  private readonly grad: Float32Array;
  /** Whether x and xOut are this run's own arrays (not views of the optimizer's memory, freed after the run). */
  private readonly ownsParams: boolean;
  /** The caller's spare array while no buffer of the run is it. */
  private spare: Float32Array | undefined;
  private readonly input: StepInputSlot;
  /** Records (and the answer) at the optimizer's evaluation point when it has one: schedule-free's x. */
  private readonly judged?: EvaluationPointRecords;
  private readonly recordParams: boolean;
  private readonly batchLimit: number;
  private step = 0;
  private evals = 0;
  private records: StepMetrics[] = [];
  private now = this.started;
  private lastFlush = this.started;
  private status: MinimizeStatus = 'completed';
  private divergedAt: number | undefined;
  private info: MinimizeResult['info'];
  /** The last healthy record's loss and gradient norm (the result's `final` on divergence). */
  private goodLoss = NaN;
  private goodGradNorm = NaN;

  constructor(
    private readonly o: MinimizeArraysOptions,
    private readonly state: unknown,
    x: Float32Array,
  ) {
    const { objective, optimizer } = o;
    const n = objective.size;
    this.recordParams = o.recordParams === true;
    this.batchLimit = maxBatch(n, this.recordParams);
    this.judged = optimizer.evaluationPoint ? new EvaluationPointRecords((s, out) => optimizer.evaluationPoint?.(s, out), objective, n) : undefined;
    // The update's own arrays when it has them (views of its WebAssembly memory): no copies per step.
    let workspace = optimizer.workspace?.(state);
    // The objective then reads x and writes the gradient there too; its memory may have grown, detaching the views fetched.
    if (workspace && objective.shareWorkspace?.(workspace)) workspace = optimizer.workspace?.(state);
    if (workspace) workspace.params[0].set(x);
    [this.x, this.xOut] = workspace ? workspace.params : [x === o.x0 ? Float32Array.from(x) : x, new Float32Array(n)];
    this.ownsParams = !workspace;
    const spare = o.spare?.length === n ? o.spare : undefined;
    this.grad = workspace ? workspace.grad : (spare ?? new Float32Array(n));
    this.spare = workspace ? spare : undefined;
    this.input = {
      params: this.x, paramsOut: this.xOut, grad: this.grad, loss: NaN, lr: NaN, step: 0,
      evaluate: (y, gradOut) => objective.valueAndGrad(y, this.step, gradOut),
    };
  }

  /** Every update until the steps, a limit, a cancel or a divergence end the run; records reach onMetrics even when something throws (the caller flushes the last ones). */
  async loop(): Promise<void> {
    const o = this.o;
    const flushMs = o.flushIntervalMs ?? 50;
    try {
      for (; this.step < o.steps; this.step++) {
        if (o.isCancelled?.()) {
          this.status = 'cancelled';
          break;
        }
        if (o.timeLimitMs !== undefined && this.now - this.started > o.timeLimitMs) {
          this.status = 'time-limit';
          break;
        }
        if (!this.update(this.step)) break;
        if (o.afterStep && (!o.afterStepDue || o.afterStepDue(this.step))) {
          const pending = o.afterStep(this.step, this.x);
          if (pending) {
            await pending;
            this.now = Date.now();
          }
        }
        if (this.records.length >= this.batchLimit) this.flush();
        if (this.now - this.lastFlush >= flushMs) {
          this.flush();
          await yieldToEventLoop();
          this.now = this.lastFlush = Date.now();
        }
      }
    } catch (e) {
      // Earlier results survive every error: the records before the throw reach onMetrics first.
      this.flush();
      throw e;
    }
  }

  /** Update `step`: measure, record, rewrite the gradient, update, project, swap. False when the point went bad (nothing updated). */
  private update(step: number): boolean {
    const { o, grad, input } = this;
    const lr = o.schedule.lrAt(step);
    const loss = o.objective.valueAndGrad(this.x, step, grad);
    this.evals += 1;
    const evalsHere = this.evals;
    const gradNorm = Math.sqrt(o.objective.lastGradNormSq ? o.objective.lastGradNormSq() : squaredNorm(grad));
    const recorded = this.judged ? this.judged.measure(this.state, step) : loss;
    if (!Number.isFinite(recorded) || !Number.isFinite(gradNorm)) {
      this.status = 'diverged';
      this.divergedAt = step;
      return false;
    }
    o.schedule.observe(step, recorded);
    // The raw gradient for the path's record (the replay draws it), before clipping or noise rewrite it.
    const rawGrad = this.recordParams && o.onMetrics ? Array.from(grad) : undefined;
    o.transformGradient?.(grad, step, lr);
    input.params = this.x;
    input.paramsOut = this.xOut;
    input.loss = loss;
    input.lr = lr;
    input.step = step;
    const result = o.optimizer.update(input, this.state);
    this.evals += result.extraEvals;
    this.info = result.info;
    let updateNormSq = result.updateNormSq;
    if (o.project) {
      o.project(this.xOut);
      updateNormSq = squaredDistance(this.xOut, this.x);
    }
    this.now = Date.now();
    if (o.onMetrics) {
      const metrics = { step, loss: recorded, gradNorm, updateNorm: Math.sqrt(updateNormSq), lr, evals: evalsHere, wallMs: this.now - this.started };
      this.records.push(rawGrad ? { ...metrics, params: Array.from(this.judged ? this.judged.point : this.x), state: this.stateRecord(rawGrad, step) } : metrics);
    }
    this.judged?.keep();
    this.goodLoss = recorded;
    this.goodGradNorm = gradNorm;
    const measured = this.x;
    this.x = this.xOut;
    this.xOut = measured;
    return true;
  }

  /** The path point's state: the raw gradient, and on a step `stateEvery` divides the optimizer's vectors after the update. */
  private stateRecord(grad: number[], step: number) {
    const { stateEvery, optimizer } = this.o;
    const due = stateEvery !== undefined && stateEvery > 0 && step % stateEvery === 0 && optimizer.inspect;
    return recordedState(grad, due ? optimizer.inspect?.(this.state) : undefined);
  }

  flush(): void {
    if (this.records.length === 0) return;
    const batch = this.records;
    this.records = [];
    this.o.onMetrics?.(batch);
  }

  /**
   * The run's answer as an array the caller owns: the run's own buffer as it is (the loop is over), a
   * view of the optimizer's memory copied (into the spare array when there is one).
   */
  private handOver(point: Float32Array): Float32Array {
    if (this.judged || this.ownsParams) return point;
    const spare = this.spare;
    this.spare = undefined;
    return spare ? (spare.set(point), spare) : point.slice();
  }

  /** The run's answer; the final point is measured after the last update (one more evaluation). */
  result(): MinimizeArraysResult {
    const { o, step, evals, info } = this;
    const wallMs = () => Date.now() - this.started;
    if (this.status === 'diverged') {
      // x is the point that went bad; xOut still holds the one before it (x0 at step 0).
      return {
        status: this.status, divergedAt: this.divergedAt,
        params: step === 0 ? Float32Array.from(o.x0) : this.handOver(this.judged?.previous ?? this.xOut),
        final: { loss: this.goodLoss, gradNorm: this.goodGradNorm },
        evals, stepsDone: step, wallMs: wallMs(), info,
      };
    }
    const answer = this.judged ? this.judged.finalPoint(this.state) : this.x;
    const loss = o.objective.valueAndGrad(answer, step, this.grad);
    const gradNorm = Math.sqrt(o.objective.lastGradNormSq ? o.objective.lastGradNormSq() : squaredNorm(this.grad));
    const healthy = Number.isFinite(loss) && Number.isFinite(gradNorm);
    return {
      status: healthy ? this.status : 'diverged', divergedAt: healthy ? this.divergedAt : step,
      params: this.handOver(answer), final: { loss, gradNorm }, evals: evals + 1, stepsDone: step, wallMs: wallMs(), info,
    };
  }
}
