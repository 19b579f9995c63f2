/**
 * A landscape grid over a window the dashboard zoomed to (src/protocol/landscapeWindow.ts): the
 * objective is compiled and prepared as for a run (same seed, first batch of a dataset) and the grid is
 * evaluated as the run's own (landscape.ts gridOverBox). Failures come back as a warning.
 */
import * as fs from 'node:fs';
import type * as tfType from '@tensorflow/tfjs';
import type { LandscapeWindowRequest } from '../protocol/landscapeWindow';
import type { Landscape } from '../protocol/runner';
import { compileObjective } from './compile';
import { disposeBatch, type Batch } from './dataset';
import { gridOverBox, LANDSCAPE_BUDGET_MS } from './landscape';
import { loadBundle } from './loadBundle';
import { flatObjective } from './objectiveFunction';
import { discoverObjectives, pickObjective, prepareObjective, type PreparedObjective } from './objectives';
import { paramNames } from './paramNames';

export async function landscapeWindow(req: Omit<LandscapeWindowRequest, 'type' | 'requestId'>, tf: typeof tfType): Promise<{ grid?: Landscape; warning?: string }> {
  const started = Date.now();
  let prepared: PreparedObjective | undefined;
  let batch: Batch | undefined;
  tf.engine().startScope();
  try {
    const compiled = await compileObjective(req.file, req.text);
    const exports = loadBundle(compiled, tf);
    const source = req.text ?? readSource(compiled.file);
    const entry = pickObjective(exports, discoverObjectives(exports, source), compiled.file, req.objective);
    prepared = prepareObjective(entry, compiled.file, req.seed, tf);
    const { layout, dataset } = prepared;
    if (layout.size !== req.box.length) return { warning: `the objective has ${layout.size} parameters; the window has ${req.box.length}` };
    if (dataset) batch = dataset.batch(0, tf);
    const site = { file: compiled.file, sources: compiled.sources, name: entry.name, ...(entry.line !== undefined ? { line: entry.line } : {}) };
    const f = flatObjective(entry.fn, layout, site, () => batch, tf);
    const evaluator = { raw: (p: Parameters<typeof entry.fn>[0]) => entry.fn(p, batch), f, layout, tf, isCancelled: () => false, deadline: started + LANDSCAPE_BUDGET_MS };
    const grid = await gridOverBox(evaluator, req.box.map(([lo, hi]): [number, number] => [lo, hi]), paramNames(layout));
    return grid ? { grid: { ...grid, ms: Date.now() - started } } : { warning: 'landscape not drawn: cancelled' };
  } catch (e) {
    return { warning: `landscape not drawn: ${e instanceof Error ? e.message : String(e)}` };
  } finally {
    if (batch) disposeBatch(batch);
    prepared?.dispose();
    tf.engine().endScope();
  }
}

function readSource(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
