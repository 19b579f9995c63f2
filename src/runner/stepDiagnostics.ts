/**
 * Per-step diagnostics on a run's step records (issue 21): each named tensor's gradient, parameter and update
 * norms, and the step-size gauge α of the update that arrived at a record's parameters. Measured every
 * `stride` steps (src/protocol/stepDiagnostics.ts) from what the loop already has, through the hooks both
 * paths offer: the raw gradient before clipping or noise, and the parameters after each update. The one
 * training loop holds both as Float32Arrays on every path (the tensor path reads them back once per step
 * already), so a measured step costs two passes over the vector and reads nothing more back. On mini-batches
 * the gauge's far end is evaluated on the step's own batch (./gaugeFarEnd.ts).
 */
import type * as tfType from '@tensorflow/tfjs';
import { blockSquares, dotArrays, stepSquares } from '../core/blockNorms';
import type { Block } from '../core/curvature/blockCurvature';
import type { StepMetrics } from '../core/loopRecords';
import { stepSizeGauge } from '../core/stepSizeGauge';
import type { RunMeta, RunRequest, StepRecord } from '../protocol/runner';
import { stepDiagnosticsStride, type StepGaugeRecord } from '../protocol/stepDiagnostics';
import { blocksOf } from './diagnosticsContext';
import { diagnosticsPlan } from './diagnosticsPlan';
import type { FarEnd, FarEndProbe } from './gaugeFarEnd';

/** What one measured step has gathered so far (sums of squares per block, the gauge's dot products). */
interface Measured {
  grad?: Float64Array;
  param?: Float64Array;
  update?: Float64Array;
  /** g(x_k)·d, g(x_{k+1})·d and ‖d‖² of update k. */
  dot0?: number;
  dot1?: number;
  stepSq?: number;
  /** f(x_{k+1}) on update k's batch (mini-batches; else the next record's loss is on the same data). */
  loss1?: number;
}

export interface StepDiagnosticsOptions {
  readonly blocks: readonly Block[];
  readonly steps: number;
  /** The gauge needs the records' losses at the parameters (not at an optimizer's evaluation point). */
  readonly gauge: boolean;
  /** Consecutive updates see the same data (no mini-batches): the next record's loss and gradient are the far end. */
  readonly sameBatch: boolean;
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
  private start: Float32Array;
  private grad0?: Float32Array;
  private readonly step: Float32Array;
  private previous?: { step: number; loss: number };

  constructor(private readonly o: StepDiagnosticsOptions, x0: Float32Array) {
    this.stride = stepDiagnosticsStride(o.steps);
    const last = o.blocks[o.blocks.length - 1];
    this.n = last ? last.offset + last.size : 0;
    this.step = new Float32Array(o.gauge ? this.n : 0);
    this.start = Float32Array.from(x0);
  }

  /** The parameters after update `step` (not kept). */
  afterStep(step: number, x: Float32Array): void {
    if (this.due(step) || this.due(step + 1)) this.afterStepOnArrays(step, x);
  }

  /** Whether the gauge takes its far ends from a probe on each update's batch (a path then supplies one). */
  get wantsFarEnd(): boolean {
    return this.o.gauge && !this.o.sameBatch;
  }

  /** Whether the gauge needs the far end of update `step` on its own batch (mini-batches, a measured update). */
  farEndDue(step: number): boolean {
    return this.wantsFarEnd && this.measured.get(step)?.dot0 !== undefined;
  }

  /** The step d of the last measured update (read by a far-end probe, not kept). */
  get direction(): Float32Array {
    return this.step;
  }

  /** Update `step`'s far end on its own batch: the gauge then uses it instead of the next record's. */
  farEnd(step: number, end: FarEnd): void {
    const m = this.measured.get(step);
    if (!m) return;
    m.loss1 = end.loss;
    m.dot1 = end.dot;
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

  /** The raw gradient at update `step`'s parameters (not kept). */
  gradient(g: Float32Array, step: number): void {
    const ended = this.measured.get(step - 1);
    if (this.o.gauge && ended?.dot0 !== undefined && ended.loss1 === undefined) ended.dot1 = dotArrays(g, this.step);
    if (!this.due(step)) return;
    const sums = new Float64Array(this.o.blocks.length);
    if (this.o.gauge) this.grad0 ??= new Float32Array(this.n);
    blockSquares(g, this.o.blocks, sums, this.o.gauge ? this.grad0 : undefined);
    this.at(step).grad = sums;
  }

  private afterStepOnArrays(step: number, x: Float32Array): void {
    const nextDue = this.due(step + 1);
    if (!this.due(step)) {
      if (nextDue) this.start.set(x);
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

  /** The records with their diagnostics attached (each measured step's entry is dropped once used). */
  decorate(records: readonly StepMetrics[]): StepRecord[] {
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
    const g = stepSizeGauge({ loss0: before.loss, loss1: m.loss1 ?? r.loss, dot0: m.dot0, dot1: m.dot1, stepNormSq: m.stepSq });
    return { alpha: g.alpha, misfit: Number.isFinite(g.misfit) ? g.misfit : null, shape: g.shape, sameBatch: this.o.sameBatch || m.loss1 !== undefined };
  }
}

type Vector = Float32Array | tfType.Tensor1D;

/**
 * A run's per-step diagnostics when its request asks for them, starting at x0.
 */
export function stepDiagnosticsFor(
  req: RunRequest, slots: readonly { readonly name: string; readonly shape: readonly number[] }[],
  o: { gauge: boolean; sameBatch: boolean; x0: Float32Array },
): StepDiagnostics | undefined {
  if (!wantsStepDiagnostics(req)) return undefined;
  return new StepDiagnostics({ blocks: blocksOf(slots), steps: req.steps, gauge: o.gauge, sameBatch: o.sameBatch }, o.x0);
}

/** A loop's gradient hook: measures the raw gradient, then runs the run's own transform (clipping, noise), else `unchanged`. */
export function measuredGradient<G extends Float32Array, R>(
  d: StepDiagnostics | undefined, inner: ((g: G, step: number, lr: number) => R) | undefined, unchanged: (g: G) => R,
): ((g: G, step: number, lr: number) => R) | undefined {
  if (!d) return inner;
  return (g, step, lr) => {
    d.gradient(g, step);
    return inner ? inner(g, step, lr) : unchanged(g);
  };
}

/**
 * A loop's afterStep, measuring the update first. `values`: the parameters as the loop's array when x is a
 * tensor (the tensor path hands both; without them a tensor would be read back). `farEnd`: the path's probe for
 * the gauge on mini-batches.
 */
export function afterMeasured<X extends Vector, R>(
  d: StepDiagnostics | undefined, inner: (step: number, x: X) => R, farEnd?: FarEndProbe<X>,
): (step: number, x: X, values?: Float32Array) => R {
  if (!d) return inner;
  return (step, x, values) => {
    d.afterStep(step, values ?? (x instanceof Float32Array ? x : Float32Array.from(x.dataSync())));
    if (farEnd && d.farEndDue(step)) d.farEnd(step, farEnd(x, step, d.direction));
    return inner(step, x);
  };
}
