/**
 * A sweep from its spec to its result: the configurations (a grid, or a random
 * or Sobol search), each as a run request like `optlab run`'s, through the pool;
 * with halving, every trial to the first rung and the better half on, rung by
 * rung, the survivors to the end. Runs keep the order of their configurations.
 */
import { betterHalf, rungSteps } from '../core/tuning/halving';
import { searchPoints, type SearchMethod } from '../core/tuning/search';
import { gridPoints, type Dimension, type Point } from '../core/tuning/searchSpace';
import type { RunRequestInput } from '../protocol/runner';
import { runRequestSchema } from '../protocol/runner';
import type { SweepOutcome, SweepResult, SweepRun } from '../protocol/sweep';
import type { SweepPool } from './sweepPool';

export interface SweepSpec {
  /** Absolute path of the objective file. */
  readonly file: string;
  readonly objective?: string;
  /** A built-in's id or a rule's export name (with `optimizerFile`). */
  readonly optimizer: string;
  readonly optimizerFile?: string;
  /** The lr when it is not swept (the optimizer's default when absent). */
  readonly lr?: number;
  /** Fixed hyperparameters (--hp), as text. */
  readonly hp: Readonly<Record<string, string>>;
  readonly steps: number;
  /** Runs per configuration, with seeds firstSeed … firstSeed + seeds − 1. */
  readonly seeds: number;
  /** The first seed (0 when absent; a tuned comparison's held-out seeds start after its tuning seed). */
  readonly firstSeed?: number;
  readonly dims: readonly Dimension[];
  readonly mode: 'grid' | SearchMethod;
  readonly trials?: number;
  /** The search's seed. */
  readonly seed: number;
  readonly halving: boolean;
  readonly timeLimitMs: number;
  readonly compile: boolean;
  readonly backend?: RunRequestInput['backend'];
}

/** A run as planned: its configuration and seed, and its steps (a rung's or the whole run's). */
export interface PlannedRun {
  readonly trial: number;
  readonly point: Point;
  readonly seed: number;
}

export function sweepPoints(spec: SweepSpec): Point[] {
  return spec.mode === 'grid' ? gridPoints(spec.dims) : searchPoints(spec.dims, spec.trials ?? 0, spec.mode, spec.seed);
}

/** The run request of one configuration: lr from the point or --lr, the other swept values as --hp text. */
export function sweepRequest(spec: SweepSpec, run: PlannedRun, id: string): ReturnType<typeof runRequestSchema.parse> {
  const { lr: sweptLr, ...swept } = run.point;
  const lr = sweptLr !== undefined ? Number(sweptLr) : spec.lr;
  return runRequestSchema.parse({
    type: 'run',
    runId: id,
    file: spec.file,
    ...(spec.objective !== undefined ? { objective: spec.objective } : {}),
    optimizer: {
      id: spec.optimizer,
      ...(spec.optimizerFile !== undefined ? { rule: { file: spec.optimizerFile } } : {}),
      ...(lr !== undefined ? { lr } : {}),
      hp: { ...spec.hp, ...swept },
    },
    steps: spec.steps,
    seed: run.seed,
    curvatureEvery: 0,
    landscape: false,
    timeLimitMs: spec.timeLimitMs,
    compile: spec.compile,
    ...(spec.backend ? { backend: spec.backend } : {}),
  });
}

/** The runs the sweep plans, as [runs, steps each]: one entry per rung with halving, then the full runs. */
function plan(spec: SweepSpec, configurations: number): [number, number][] {
  let alive = configurations;
  const stages: [number, number][] = [];
  for (const rung of spec.halving ? rungSteps(spec.steps) : []) {
    stages.push([alive * spec.seeds, rung]);
    alive = Math.ceil(alive / 2);
  }
  return [...stages, [alive * spec.seeds, spec.steps]];
}

/** Total steps the sweep plans (for progress): every run's, rungs included. */
export function plannedSteps(spec: SweepSpec, configurations: number): number {
  return plan(spec, configurations).reduce((acc, [runs, steps]) => acc + runs * steps, 0);
}

/** Total runs the sweep plans, rungs included. */
export function plannedRuns(spec: SweepSpec, configurations: number): number {
  return plan(spec, configurations).reduce((acc, [runs]) => acc + runs, 0);
}

function toRun(run: PlannedRun, outcome: SweepOutcome, spec: SweepSpec): SweepRun {
  const { lr: sweptLr } = run.point;
  return {
    trial: run.trial, point: { ...run.point },
    lr: outcome.lr ?? (sweptLr !== undefined ? Number(sweptLr) : spec.lr ?? NaN),
    hp: outcome.hp ?? {},
    seed: run.seed,
    status: outcome.status,
    stepsDone: outcome.stepsDone,
    final: outcome.final,
    ...(outcome.divergedAt !== undefined ? { divergedAt: outcome.divergedAt } : {}),
    ...(outcome.message !== undefined ? { message: outcome.message } : {}),
    steps: outcome.steps,
  };
}

export interface SweepListener {
  /** A run finished (in the order runs finish); `task` is the pool's task id, `planned` the steps it was to take. */
  onRun?(run: SweepRun, task: number, planned: number): void;
}

/** Task ids unique over the whole sweep (progress is reported per task). */
class TaskIds {
  private next = 0;
  take(): number {
    return this.next++;
  }
}

/** Runs of every trial in `trials` over every seed, stopped after `stopAfter` steps when given. */
async function runTrials(spec: SweepSpec, points: Point[], trials: number[], pool: SweepPool, ids: TaskIds, listener: SweepListener, stopAfter?: number) {
  const first = spec.firstSeed ?? 0;
  const planned = trials.flatMap((trial) => Array.from({ length: spec.seeds }, (_, s): PlannedRun => ({ trial, point: points[trial], seed: first + s })));
  const outcomes = await Promise.all(
    planned.map(async (run) => {
      const task = ids.take();
      const outcome = await pool.run({ task, request: sweepRequest(spec, run, `sweep-${run.trial}-${run.seed}`), ...(stopAfter !== undefined ? { stopAfter } : {}) });
      const record = toRun(run, outcome, spec);
      listener.onRun?.(record, task, stopAfter ?? spec.steps);
      return { record, objective: outcome.objective };
    }),
  );
  return outcomes;
}

/** The configuration with the lowest mean final loss over its seeds, among those whose every run finished. */
export function bestOf(runs: readonly SweepRun[]): SweepResult['best'] {
  const byTrial = new Map<number, SweepRun[]>();
  for (const r of runs) byTrial.set(r.trial, [...(byTrial.get(r.trial) ?? []), r]);
  let best: SweepResult['best'] = null;
  for (const [trial, group] of byTrial) {
    const finished = group.every((r) => (r.status === 'completed' || r.status === 'converged') && r.final.loss !== null);
    if (!finished) continue;
    const loss = group.reduce((acc, r) => acc + (r.final.loss as number), 0) / group.length;
    if (best === null || loss < best.loss) best = { trial, point: group[0].point, lr: group[0].lr, hp: group[0].hp, loss, seeds: group.length };
  }
  return best;
}

export async function runSweep(spec: SweepSpec, pool: SweepPool, listener: SweepListener = {}): Promise<SweepResult> {
  const started = Date.now();
  const points = sweepPoints(spec);
  let objective = spec.objective;
  const finalRuns: SweepRun[] = [];
  let alive = points.map((_, trial) => trial);
  const rungs = spec.halving ? rungSteps(spec.steps) : [];
  const rungLosses = new Map<number, { steps: number; loss: number | null }[]>();
  const ids = new TaskIds();
  for (const rung of rungs) {
    const results = await runTrials(spec, points, alive, pool, ids, listener, rung);
    objective ??= results.find((r) => r.objective)?.objective;
    const meanLoss = (trial: number): number => {
      const losses = results.filter((r) => r.record.trial === trial).map((r) => (r.record.status === 'completed' ? r.record.final.loss ?? NaN : NaN));
      return losses.reduce((a, b) => a + b, 0) / losses.length;
    };
    for (const trial of alive) rungLosses.set(trial, [...(rungLosses.get(trial) ?? []), { steps: rung, loss: Number.isFinite(meanLoss(trial)) ? meanLoss(trial) : null }]);
    const kept = new Set(betterHalf(alive.map((trial) => ({ trial, loss: meanLoss(trial) }))));
    // Dropped trials keep their rung's runs, marked pruned unless they failed on their own.
    for (const r of results) if (!kept.has(r.record.trial)) finalRuns.push(r.record.status === 'completed' ? { ...r.record, status: 'pruned' } : r.record);
    alive = alive.filter((t) => kept.has(t));
  }
  const last = await runTrials(spec, points, alive, pool, ids, listener);
  objective ??= last.find((r) => r.objective)?.objective;
  finalRuns.push(...last.map((r) => r.record));
  const runs = finalRuns
    .map((r) => (rungLosses.has(r.trial) ? { ...r, rungs: rungLosses.get(r.trial) } : r))
    .sort((a, b) => a.trial - b.trial || a.seed - b.seed);
  return {
    objective: objective ?? '',
    file: spec.file,
    optimizer: { id: spec.optimizer, ...(spec.optimizerFile !== undefined ? { file: spec.optimizerFile } : {}) },
    steps: spec.steps,
    mode: spec.mode,
    ...(spec.mode !== 'grid' ? { seed: spec.seed } : {}),
    space: spec.dims.map((d) => (d.kind === 'list' ? { ...d, values: [...d.values] } : { ...d })),
    ...(spec.halving ? { halving: { rungs } } : {}),
    workers: pool.size,
    wallMs: Date.now() - started,
    runs,
    best: bestOf(runs),
  };
}
