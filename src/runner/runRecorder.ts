/**
 * Collects one run's events into the documented `--json` record (and CSV).
 * Schema (stable: fields are added, never renamed):
 *   { objective, optimizer: {id, lr, hp, file?}, backend,                // file: the rule's file (--optimizer FILE#NAME)
 *     steps: [{step, loss, gradNorm, lr, evals, updateNorm, wallMs}],   // steps[k]: before the k-th update
 *     curvature: [{step, lambdaMax, lambdaMin, condition, ...}],
 *     final: {loss, gradNorm, params} | null,                            // after the last update
 *     file, seed, tfjsVersion, sourceHash, schedule, status, message, error,
 *     curvatureError,                                                     // why curvature stopped while the run went on
 *     compute: {path: 'compiled'|'tensors', simd?, threads?, fusedMultiplyAdd?, reason?},
 *                                                                         // plain-JS compiled loop (long loops as wasm SIMD, large products on
 *                                                                         // `threads` threads, with one rounding per term), or TensorFlow.js ops and why
 *     lossAt?,                                                            // present when losses and final params are at the optimizer's evaluation point (schedule-free x)
 *     tensors?,                                                           // per-step diagnostics: the named tensors steps[k].tensors and .gauge refer to
 *     ... }
 */
import type { ComputeRecord } from '../protocol/computeRecord';
import type { CurvatureSample, RunError, RunMeta, StepRecord } from '../protocol/runner';
import type { RunHandlers, RunOutcome } from './client';

export interface RunRecord {
  objective: string | null;
  /** `file`: the optimizer rule's file, for a rule (absent for built-ins, so their record is unchanged). */
  optimizer: { id: string; lr: number | null; hp: Record<string, unknown>; file?: string };
  backend: string | null;
  steps: StepRecord[];
  curvature: CurvatureSample[];
  final: { loss: number; gradNorm: number; params: number[] } | null;
  file: string;
  seed: number;
  tfjsVersion: string | null;
  sourceHash: string | null;
  schedule: string | null;
  maximize: boolean;
  clipNorm: number | null;
  noiseTemperature: number | null;
  paramNames: string[];
  minimum: number | null;
  status: 'completed' | 'cancelled' | 'diverged' | 'time-limit' | 'converged' | 'error';
  message: string | null;
  error: RunError | null;
  curvatureError: RunError | null;
  evals: number | null;
  wallMs: number | null;
  stepsPerSecond: number | null;
  compute: ComputeRecord | null;
  /** Where the losses and final parameters were taken when not where the gradients were (RunMeta.lossAt); absent: at the parameters. */
  lossAt?: string;
  /** The named tensors of the steps' per-tensor norms (RunMeta.tensors), when they were measured. */
  tensors?: RunMeta['tensors'];
}

export class RunRecorder implements RunHandlers {
  readonly steps: StepRecord[] = [];
  readonly curvature: CurvatureSample[] = [];
  meta?: RunMeta;

  onStarted(meta: RunMeta): void {
    this.meta = meta;
  }
  onSteps(steps: readonly StepRecord[]): void {
    this.steps.push(...steps);
  }
  onCurvature(sample: CurvatureSample): void {
    this.curvature.push(sample);
  }

  record(outcome: RunOutcome, request: { file: string; optimizer: string; optimizerFile?: string; seed: number; maximize: boolean; clipNorm?: number; noiseTemperature?: number }): RunRecord {
    const m = this.meta;
    const done = outcome.kind === 'done' ? outcome.done : undefined;
    return {
      objective: m?.objective ?? null,
      optimizer: recordedOptimizer(m, request),
      backend: m?.backend ?? null,
      // The documented fields first, then the extras.
      steps: this.steps.map((s) => ({
        step: s.step, loss: s.loss, gradNorm: s.gradNorm, lr: s.lr, evals: s.evals, updateNorm: s.updateNorm, wallMs: s.wallMs,
        ...(s.tensors ? { tensors: s.tensors } : {}), ...(s.gauge ? { gauge: s.gauge } : {}),
      })),
      curvature: this.curvature,
      final: done ? done.final : null,
      file: request.file,
      seed: m?.seed ?? request.seed,
      tfjsVersion: m?.tfjsVersion ?? null,
      sourceHash: m?.sourceHash ?? null,
      schedule: m?.schedule ?? null,
      maximize: request.maximize,
      clipNorm: request.clipNorm ?? null,
      noiseTemperature: request.noiseTemperature ?? null,
      paramNames: m?.paramNames ?? [],
      minimum: m?.minimum ?? null,
      status: done ? done.status : 'error',
      message: done?.message ?? (outcome.kind === 'error' ? outcome.error.message : null),
      error: outcome.kind === 'error' ? outcome.error : null,
      curvatureError: done?.curvatureError ?? null,
      evals: done?.evals ?? null,
      wallMs: done?.wallMs ?? null,
      stepsPerSecond: done?.stepsPerSecond ?? null,
      compute: m?.compute ?? null,
      ...(m?.lossAt ? { lossAt: m.lossAt } : {}),
      ...(m?.tensors ? { tensors: m.tensors } : {}),
    };
  }
}

/** What ran (from 'started'), or what was asked for when the run failed before it started. */
function recordedOptimizer(m: RunMeta | undefined, request: { optimizer: string; optimizerFile?: string }): RunRecord['optimizer'] {
  const file = m ? m.optimizer.file : request.optimizerFile;
  const base = m ? { id: m.optimizer.id, lr: m.optimizer.lr, hp: m.optimizer.hp } : { id: request.optimizer, lr: null, hp: {} };
  return file !== undefined ? { ...base, file } : base;
}

export function toCsv(steps: readonly StepRecord[]): string {
  const header = 'step,loss,gradNorm,updateNorm,lr,evals,wallMs';
  return [header, ...steps.map((s) => [s.step, s.loss, s.gradNorm, s.updateNorm, s.lr, s.evals, s.wallMs].join(','))].join('\n') + '\n';
}
