/**
 * A landscape grid over a window the dashboard zoomed to (src/protocol/landscapeWindow.ts): the
 * objective is compiled and prepared as for a run (same seed, first batch of a dataset) and the grid is
 * evaluated as the run's own (landscape.ts gridOverBox). Failures come back as a warning.
 * `withObjective` is that preparation, shared with the path slices (pathSliceGrid.ts).
 */
import * as fs from 'node:fs';
import type * as tfType from '@tensorflow/tfjs';
import type { LandscapeWindowRequest } from '../protocol/landscapeWindow';
import type { Landscape } from '../protocol/runner';
import { compileObjective } from './compile';
import { disposeBatch, type Batch } from './dataset';
import { inRunSign, type PlaneEvaluator } from './evaluatePlane';
import { gridOverBox, LANDSCAPE_BUDGET_MS } from './landscape';
import { loadBundle } from './loadBundle';
import { flatObjective } from './objectiveFunction';
import { discoverObjectives, pickObjective, prepareObjective, type PreparedObjective } from './objectives';
import { paramNames } from './paramNames';

/** Which objective, as a run names it. */
export interface ObjectiveRef {
  file: string;
  text?: string;
  objective?: string;
  seed: number;
  /** The run maximised: grids are −f, as its records (evaluatePlane.ts inRunSign). */
  maximize?: boolean;
}

/** The prepared objective a landscape request evaluates: an evaluator with the time budget from now, and the run's x0. */
export interface ObjectiveAtHand {
  evaluator: PlaneEvaluator;
  names: string[];
  prepared: PreparedObjective;
}

/**
 * Compiles, loads and prepares `ref` (first batch of a dataset in place), runs `body`, and frees
 * everything, tensors of the objective's module included. Whatever throws becomes the warning.
 */
export async function withObjective<T>(
  ref: ObjectiveRef, tf: typeof tfType, isCancelled: () => boolean, body: (o: ObjectiveAtHand) => Promise<T>,
): Promise<T | { warning: string }> {
  const started = Date.now();
  let prepared: PreparedObjective | undefined;
  let batch: Batch | undefined;
  tf.engine().startScope();
  try {
    const compiled = await compileObjective(ref.file, ref.text);
    const exports = loadBundle(compiled, tf);
    const source = ref.text ?? readSource(compiled.file);
    const entry = pickObjective(exports, discoverObjectives(exports, source), compiled.file, ref.objective);
    prepared = prepareObjective(entry, compiled.file, ref.seed, tf);
    const { layout, dataset } = prepared;
    if (dataset) batch = dataset.batch(0, tf);
    const site = { file: compiled.file, sources: compiled.sources, name: entry.name, ...(entry.line !== undefined ? { line: entry.line } : {}) };
    const f = flatObjective(entry.fn, layout, site, () => batch, tf);
    const evaluator = inRunSign({ raw: (p) => entry.fn(p, batch), f, layout, tf, isCancelled, deadline: started + LANDSCAPE_BUDGET_MS }, ref.maximize);
    return await body({ evaluator, names: paramNames(layout), prepared });
  } catch (e) {
    return { warning: `landscape not drawn: ${e instanceof Error ? e.message : String(e)}` };
  } finally {
    if (batch) disposeBatch(batch);
    prepared?.dispose();
    tf.engine().endScope();
  }
}

export async function landscapeWindow(
  req: Omit<LandscapeWindowRequest, 'type' | 'requestId'>, tf: typeof tfType, isCancelled: () => boolean = () => false,
): Promise<{ grid?: Landscape; warning?: string }> {
  const started = Date.now();
  return withObjective(req, tf, isCancelled, async ({ evaluator, names }) => {
    const size = evaluator.layout.size;
    if (size !== req.box.length) return { warning: `the objective has ${size} parameters; the window has ${req.box.length}` };
    const grid = await gridOverBox(evaluator, req.box.map(([lo, hi]): [number, number] => [lo, hi]), names);
    return grid ? { grid: { ...grid, ms: Date.now() - started } } : { warning: 'landscape not drawn: cancelled' };
  });
}

function readSource(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
