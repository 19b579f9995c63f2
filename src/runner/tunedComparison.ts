/**
 * A tuned comparison (`optlab sweep --compare A,B,…`, issue 22's "Compare (tuned)"): comparing optimizers each at
 * its default lr favours whichever default happens to suit the problem, so each optimizer is tuned over the same
 * space with the same budget (one run per configuration on the tuning seed), and its best configuration is then run
 * on held-out seeds (not the tuning seed, which picked it) and compared by mean final loss over those. The tuning
 * runs form one sweep with an `optimizer` dimension (the Sweep card draws a curve per optimizer and an lr ×
 * optimizer heat map); the held-out runs are in `comparison`.
 */
import type { Dimension } from '../core/tuning/searchSpace';
import type { SweepResult, SweepRun, TunedComparison } from '../protocol/sweep';
import { bestOf, runSweep, sweepPoints, type SweepListener, type SweepSpec } from './sweepEngine';
import type { SweepPool } from './sweepPool';

export const TUNING_SEED = 0;
/** The name of the dimension that says which optimizer a tuning run belongs to. */
export const OPTIMIZER_DIMENSION = 'optimizer';

export interface ComparedOptimizer {
  readonly id: string;
  /** A rule's file (`FILE#NAME`). */
  readonly file?: string;
}

/** `spec` without its optimizer: the space, steps, time limit and backend every optimizer gets; `seeds` held-out seeds; no halving. */
export type ComparisonSpec = Omit<SweepSpec, 'optimizer' | 'optimizerFile'>;

const finishedLoss = (run: SweepRun): number | null => ((run.status === 'completed' || run.status === 'converged') && run.final.loss !== null ? run.final.loss : null);

/** The best configuration as a grid of one point (each dimension a list of its one value). */
function onePoint(dims: readonly Dimension[], point: Readonly<Record<string, string>>): Dimension[] {
  return dims.map((d) => ({ name: d.name, kind: 'list', values: [point[d.name]] }));
}

function heldOut(optimizer: ComparedOptimizer, tuned: SweepResult['best'], runs: SweepRun[]): TunedComparison['optimizers'][number] {
  const losses = runs.map(finishedLoss).filter((l): l is number => l !== null);
  const some = losses.length > 0;
  return {
    id: optimizer.id, ...(optimizer.file !== undefined ? { file: optimizer.file } : {}), tuned, runs,
    mean: some ? losses.reduce((a, b) => a + b, 0) / losses.length : null,
    min: some ? Math.min(...losses) : null,
    max: some ? Math.max(...losses) : null,
    failed: runs.length - losses.length,
  };
}

/** Tunes each optimizer in turn (each tuning uses every worker), then runs its best configuration on the held-out seeds. */
export async function runTunedComparison(spec: ComparisonSpec, optimizers: readonly ComparedOptimizer[], pool: SweepPool, listener: SweepListener = {}): Promise<SweepResult> {
  const started = Date.now();
  const configurations = sweepPoints({ ...spec, optimizer: '' }).length;
  const seeds = Array.from({ length: spec.seeds }, (_, i) => TUNING_SEED + 1 + i);
  const runs: SweepRun[] = [];
  const compared: TunedComparison['optimizers'] = [];
  let objective = spec.objective ?? '';
  for (const [k, optimizer] of optimizers.entries()) {
    const own: SweepSpec = { ...spec, optimizer: optimizer.id, ...(optimizer.file !== undefined ? { optimizerFile: optimizer.file } : {}) };
    const tuning = await runSweep({ ...own, seeds: 1, firstSeed: TUNING_SEED }, pool, listener);
    objective ||= tuning.objective;
    // Trials numbered across optimizers, each run saying whose it is.
    runs.push(...tuning.runs.map((r) => ({ ...r, trial: k * configurations + r.trial, point: { [OPTIMIZER_DIMENSION]: optimizer.id, ...r.point } })));
    const evaluation = tuning.best && !pool.cancelled
      ? await runSweep({ ...own, dims: onePoint(spec.dims, tuning.best.point), mode: 'grid', halving: false, seeds: spec.seeds, firstSeed: TUNING_SEED + 1 }, pool, listener)
      : undefined;
    compared.push(heldOut(optimizer, tuning.best, evaluation?.runs ?? []));
  }
  return {
    objective,
    file: spec.file,
    optimizer: { id: optimizers.map((o) => o.id).join(',') },
    steps: spec.steps,
    mode: spec.mode,
    ...(spec.mode !== 'grid' ? { seed: spec.seed } : {}),
    space: [{ name: OPTIMIZER_DIMENSION, kind: 'list', values: optimizers.map((o) => o.id) }, ...spec.dims.map((d) => (d.kind === 'list' ? { ...d, values: [...d.values] } : { ...d }))],
    workers: pool.size,
    wallMs: Date.now() - started,
    runs,
    best: bestOf(runs),
    comparison: { tuningSeed: TUNING_SEED, seeds, budget: { configurations, steps: spec.steps, totalSteps: configurations * spec.steps }, optimizers: compared },
  };
}
