/**
 * Per-step diagnostics on a run's step records (issue 21): each named tensor's gradient, parameter and update
 * norms, and the step-size gauge α of the update that arrived at a record's parameters. Measured every
 * `stride` steps (src/protocol/stepDiagnostics.ts) from what the loop already has, through the two hooks
 * both loops offer: the gradient (transformGradient, before clipping or noise) and the parameters after each
 * update (afterStep). A gradient handed as a Float32Array (the one training loop hands it so on every path)
 * costs two passes over the vector per measured step; parameters handed as a tensor are read on measured steps
 * only. A loop handing tensors throughout gets one segment sum per vector, read back with the records' batch.
 */
import type * as tfType from '@tensorflow/tfjs';
import { blockIds, blockSquares, blockSquaresOf, dotArrays, stepSquares } from '../core/blockNorms';
import type { Block } from '../core/curvature/blockCurvature';
import type { StepMetrics } from '../core/minimize';
import { stepSizeGauge } from '../core/stepSizeGauge';
import type { RunMeta, RunRequest, StepRecord } from '../protocol/runner';
import { stepDiagnosticsStride, type StepGaugeRecord } from '../protocol/stepDiagnostics';
import { blocksOf } from './diagnosticsContext';
import { diagnosticsPlan } from './diagnosticsPlan';

/** What one measured step has gathered so far (sums of squares per block, the gauge's dot products). */
interface Measured {
  grad?: Float64Array;
  param?: Float64Array;
  update?: Float64Array;
  /** g(x_k)·d, g(x_{k+1})·d and ‖d‖² of update k. */
  dot0?: number;
  dot1?: number;
  stepSq?: number;
}

type Field = 'grad' | 'param' | 'update' | 'dot0' | 'dot1';

export interface StepDiagnosticsOptions {
  readonly blocks: readonly Block[];
  readonly steps: number;
  /** The gauge needs the records' losses at the parameters (not at an optimizer's evaluation point). */
  readonly gauge: boolean;
  /** Both ends of an update see the same data (no mini-batches). */
  readonly sameBatch: boolean;
  readonly tf: typeof tfType;
}

/** Whether a request asks for per-step diagnostics: `stepDiagnostics`, else the standard and full presets. */
export function wantsStepDiagnostics(req: Pick<RunRequest, 'stepDiagnostics' | 'diagnostics' | 'curvatureEvery' | 'spectrum'>): boolean {
  return req.stepDiagnostics ?? diagnosticsPlan(req).perStep;
}

export class StepDiagnostics {
  readonly stride: number;
  private readonly n: number;
  private readonly measured = new Map<number, Measured>();
  /** x_k of the next measured step k, the gradient there, and the step d of the last measured update (arrays). */
  private start?: Float32Array;
  private grad0?: Float32Array;
  private readonly step: Float32Array;
  /** Tensors still on the backend, read at the next batch of records. */
  private pending: { at: number; field: Field; value: tfType.Tensor }[] = [];
  private startTensor?: tfType.Tensor1D;
  private grad0Tensor?: tfType.Tensor1D;
  private stepTensor?: tfType.Tensor1D;
  private ids?: tfType.Tensor1D;
  private previous?: { step: number; loss: number };

  /** 'arrays' when the loop hands gradients as Float32Arrays, else 'tensors'; set by the first gradient. */
  private mode?: 'arrays' | 'tensors';

  constructor(private readonly o: StepDiagnosticsOptions, private readonly x0: Float32Array | tfType.Tensor1D) {
    this.stride = stepDiagnosticsStride(o.steps);
    const last = o.blocks[o.blocks.length - 1];
    this.n = last ? last.offset + last.size : 0;
    this.step = new Float32Array(o.gauge ? this.n : 0);
  }

  /** The raw gradient at update `step`'s parameters (not kept, not disposed). */
  gradient(g: Float32Array | tfType.Tensor1D, step: number): void {
    if (!this.mode) this.begin(g instanceof Float32Array ? 'arrays' : 'tensors');
    if (g instanceof Float32Array) this.gradientOnArrays(g, step);
    else this.gradientOnTensors(g, step);
  }

  /**
   * The parameters after update `step` (not kept). A loop that hands gradients as arrays and parameters as
   * tensors has them read on the steps measured.
   */
  afterStep(step: number, x: Float32Array | tfType.Tensor1D): void {
    if (this.mode === 'tensors' && !(x instanceof Float32Array)) this.afterStepOnTensors(step, x);
    else if (this.mode === 'arrays' && (this.due(step) || this.due(step + 1))) this.afterStepOnArrays(step, x instanceof Float32Array ? x : x.dataSync() as Float32Array);
  }

  /** Starts at x0 in the loop's form. */
  private begin(mode: 'arrays' | 'tensors'): void {
    this.mode = mode;
    const x0 = this.x0;
    if (mode === 'arrays') {
      this.start = Float32Array.from(x0 instanceof Float32Array ? x0 : x0.dataSync());
      return;
    }
    this.ids = blockIds(this.o.blocks, this.n);
    this.startTensor = x0 instanceof Float32Array ? this.o.tf.tensor1d(x0) : this.o.tf.clone(x0);
  }

  /** RunMeta's `tensors`: the named tensors the records' arrays follow (objectives with several). */
  metaFields(): Pick<RunMeta, 'tensors'> {
    return this.o.blocks.length >= 2 ? { tensors: this.o.blocks.map((b) => ({ name: b.name || 'x', size: b.size })) } : {};
  }

  private due(step: number): boolean {
    return step % this.stride === 0;
  }

  private at(step: number): Measured {
    let m = this.measured.get(step);
    if (!m) this.measured.set(step, (m = {}));
    return m;
  }

  private gradientOnArrays(g: Float32Array, step: number): void {
    const ended = this.measured.get(step - 1);
    if (this.o.gauge && ended?.dot0 !== undefined) ended.dot1 = dotArrays(g, this.step);
    if (!this.due(step)) return;
    const sums = new Float64Array(this.o.blocks.length);
    if (this.o.gauge) this.grad0 ??= new Float32Array(this.n);
    blockSquares(g, this.o.blocks, sums, this.o.gauge ? this.grad0 : undefined);
    this.at(step).grad = sums;
  }

  private afterStepOnArrays(step: number, x: Float32Array): void {
    const nextDue = this.due(step + 1);
    if (!this.due(step) || !this.start) {
      if (nextDue) {
        if (this.start) this.start.set(x);
        else this.start = Float32Array.from(x);
      }
      return;
    }
    const m = this.at(step);
    const count = this.o.blocks.length;
    m.param = new Float64Array(count);
    m.update = new Float64Array(count);
    const gauge = this.o.gauge && this.grad0 !== undefined;
    const dot = stepSquares(this.start, x, this.o.blocks, {
      params: m.param, updates: m.update, keepAfter: nextDue, ...(gauge ? { grad: this.grad0, step: this.step } : {}),
    });
    if (gauge) {
      m.dot0 = dot;
      m.stepSq = m.update.reduce((s, v) => s + v, 0);
    }
  }

  private gradientOnTensors(g: tfType.Tensor1D, step: number): void {
    const tf = this.o.tf;
    if (this.o.gauge && this.stepTensor && this.measured.has(step - 1)) {
      const d = this.stepTensor;
      this.pending.push({ at: step - 1, field: 'dot1', value: tf.tidy(() => tf.sum(tf.mul(g, d))) });
    }
    this.stepTensor?.dispose();
    this.stepTensor = undefined;
    if (!this.due(step) || !this.ids) return;
    this.at(step);
    this.pending.push({ at: step, field: 'grad', value: blockSquaresOf(g, this.ids, this.o.blocks.length) });
    if (this.o.gauge) this.grad0Tensor = tf.clone(g);
  }

  private afterStepOnTensors(step: number, x: tfType.Tensor1D): void {
    const tf = this.o.tf;
    const start = this.startTensor;
    if (this.due(step) && start && this.ids) {
      const ids = this.ids;
      const count = this.o.blocks.length;
      const d = tf.sub(x, start) as tfType.Tensor1D;
      this.pending.push({ at: step, field: 'param', value: blockSquaresOf(start, ids, count) }, { at: step, field: 'update', value: blockSquaresOf(d, ids, count) });
      const g0 = this.grad0Tensor;
      if (g0) this.pending.push({ at: step, field: 'dot0', value: tf.tidy(() => tf.sum(tf.mul(g0, d))) });
      if (g0) this.stepTensor = d;
      else d.dispose();
    }
    this.grad0Tensor?.dispose();
    this.grad0Tensor = undefined;
    this.startTensor?.dispose();
    this.startTensor = this.due(step + 1) ? tf.clone(x) : undefined;
  }

  /** Reads every pending tensor in one read-back (the records' batch just arrived: they are computed). */
  private resolve(): void {
    if (this.pending.length === 0) return;
    const tf = this.o.tf;
    const batch = this.pending;
    this.pending = [];
    const flat = tf.tidy(() => tf.concat(batch.map((p) => tf.reshape(p.value, [-1]))));
    // cpu, wasm and tfjs-node run kernels eagerly: the values exist, this waits for nothing.
    const values = flat.dataSync();
    flat.dispose();
    let at = 0;
    for (const p of batch) {
      const size = p.value.size;
      const m = this.at(p.at);
      if (p.field === 'dot0' || p.field === 'dot1') m[p.field] = values[at];
      else m[p.field] = Float64Array.from(values.subarray(at, at + size));
      if (p.field === 'update') m.stepSq = m.update?.reduce((s, v) => s + v, 0);
      at += size;
      p.value.dispose();
    }
  }

  /** The records with their diagnostics attached (each measured step's entry is dropped once used). */
  decorate(records: readonly StepMetrics[]): StepRecord[] {
    this.resolve();
    return records.map((r) => {
      const m = this.measured.get(r.step);
      const tensors = this.o.blocks.length >= 2 && m?.grad && m.param && m.update
        ? { grad: Array.from(m.grad, Math.sqrt), param: Array.from(m.param, Math.sqrt), update: Array.from(m.update, Math.sqrt) }
        : undefined;
      const gauge = this.gaugeArriving(r);
      this.previous = { step: r.step, loss: r.loss };
      // Kept for the next record's gauge when this update's start was measured.
      if (m && m.dot0 === undefined) this.measured.delete(r.step);
      return { ...r, ...(tensors ? { tensors } : {}), ...(gauge ? { gauge } : {}) };
    });
  }

  /** The gauge of the update that arrived at record r's parameters, when its start was measured. */
  private gaugeArriving(r: StepMetrics): StepGaugeRecord | undefined {
    const before = this.previous;
    if (!this.o.gauge || !before || before.step !== r.step - 1) return undefined;
    const m = this.measured.get(before.step);
    if (m?.dot0 === undefined || m.dot1 === undefined || m.stepSq === undefined) return undefined;
    this.measured.delete(before.step);
    const g = stepSizeGauge({ loss0: before.loss, loss1: r.loss, dot0: m.dot0, dot1: m.dot1, stepNormSq: m.stepSq });
    return { alpha: g.alpha, misfit: Number.isFinite(g.misfit) ? g.misfit : null, shape: g.shape, sameBatch: this.o.sameBatch };
  }

  dispose(): void {
    for (const p of this.pending) p.value.dispose();
    this.pending = [];
    for (const t of [this.startTensor, this.grad0Tensor, this.stepTensor, this.ids]) t?.dispose();
    this.startTensor = this.grad0Tensor = this.stepTensor = this.ids = undefined;
  }
}

type Vector = Float32Array | tfType.Tensor1D;

/**
 * A run's per-step diagnostics when its request asks for them, starting at x0. Tensors it keeps live in the
 * run's engine scope.
 */
export function stepDiagnosticsFor(
  req: RunRequest, slots: readonly { readonly name: string; readonly shape: readonly number[] }[],
  o: { gauge: boolean; sameBatch: boolean; x0: Vector }, tf: typeof tfType,
): StepDiagnostics | undefined {
  if (!wantsStepDiagnostics(req)) return undefined;
  return new StepDiagnostics({ blocks: blocksOf(slots), steps: req.steps, gauge: o.gauge, sameBatch: o.sameBatch, tf }, o.x0);
}

/** A loop's gradient hook: measures the raw gradient, then runs the run's own transform (clipping, noise), else `unchanged`. */
export function measuredGradient<G extends Vector, R>(
  d: StepDiagnostics | undefined, inner: ((g: G, step: number, lr: number) => R) | undefined, unchanged: (g: G) => R,
): ((g: G, step: number, lr: number) => R) | undefined {
  if (!d) return inner;
  return (g, step, lr) => {
    d.gradient(g, step);
    return inner ? inner(g, step, lr) : unchanged(g);
  };
}

/** A loop's afterStep, measuring the update first. */
export function afterMeasured<X extends Vector, R>(d: StepDiagnostics | undefined, inner: (step: number, x: X) => R): (step: number, x: X) => R {
  if (!d) return inner;
  return (step, x) => {
    d.afterStep(step, x);
    return inner(step, x);
  };
}
