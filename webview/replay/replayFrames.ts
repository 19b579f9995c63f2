/**
 * What the replay shows of one run at step k: the parameters the k-th record
 * was measured at (past the last record, the final parameters), where the
 * update took them (the next record), and the optimizer's state streamed on
 * the record (src/protocol/pathState.ts). Runs replay in lockstep: one k for
 * all of them, each run holding its last point once it has ended.
 */
import type { DashboardStep, RunSnapshot } from '../../src/protocol/webview';

export interface ReplayFrame {
  runId: string;
  /** The record shown (k, or the run's last when it ended earlier). */
  step: number;
  params: number[];
  loss: number;
  lr: number;
  /** The parameters after this step's update; absent at the final point. */
  next?: number[];
  nextLoss?: number;
  grad?: number[];
  /** The first moment / momentum buffer (nearest record at or before k that carries it). */
  moment?: number[];
  momentKey?: string;
  effectiveStep?: number[];
}

/** The records with parameters, and the final point as one more (step = last + 1). */
function pathOf(run: RunSnapshot): DashboardStep[] {
  const dims = run.meta?.paramCount;
  const steps = run.steps.filter((s) => s.params !== undefined && s.params.length === dims);
  const final = run.done?.final;
  const last = steps[steps.length - 1];
  if (final && final.params.length === dims && dims !== undefined) {
    const step = last ? last.step + 1 : 0;
    steps.push({ step, loss: final.loss, gradNorm: final.gradNorm, updateNorm: 0, lr: last?.lr ?? NaN, evals: run.done?.evals ?? 0, wallMs: run.done?.wallMs ?? 0, params: final.params });
  }
  return steps;
}

/** Index of the last record whose step is ≤ k (records are in step order); −1 when none. */
function indexAt(steps: readonly DashboardStep[], k: number): number {
  let lo = 0, hi = steps.length - 1, best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (steps[mid].step <= k) {
      best = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return best;
}

/** A run's path for replay, indexed once per data change. */
export class ReplayPath {
  private readonly steps: DashboardStep[];

  constructor(readonly run: RunSnapshot) {
    this.steps = pathOf(run);
  }

  /** The last step k shows something new for this run (−1: no path). */
  get lastStep(): number {
    return this.steps.length ? this.steps[this.steps.length - 1].step : -1;
  }

  frameAt(k: number): ReplayFrame | undefined {
    const i = indexAt(this.steps, Math.max(k, 0));
    if (i < 0) return undefined;
    const s = this.steps[i];
    const next = this.steps[i + 1];
    const withVectors = this.withVectors(i);
    return {
      runId: this.run.runId, step: s.step, params: s.params ?? [], loss: s.loss, lr: s.lr,
      ...(next ? { next: next.params, nextLoss: next.loss } : {}),
      ...(s.state && s.state.grad.length === s.params?.length ? { grad: s.state.grad } : {}),
      ...(withVectors?.moment ? { moment: withVectors.moment, momentKey: withVectors.momentKey } : {}),
      ...(withVectors?.effectiveStep ? { effectiveStep: withVectors.effectiveStep } : {}),
    };
  }

  /** The optimizer's vectors come on every stride-th record: the nearest at or before record i (within 64 records). */
  private withVectors(i: number): DashboardStep['state'] {
    for (let j = i; j >= 0 && j > i - 64; j--) {
      const st = this.steps[j].state;
      if (st?.moment || st?.effectiveStep) return st;
    }
    return undefined;
  }
}

/** The lockstep length: the largest last step over the runs. */
export function replayEnd(paths: readonly ReplayPath[]): number {
  return paths.reduce((m, p) => Math.max(m, p.lastStep), 0);
}
