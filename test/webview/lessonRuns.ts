/**
 * The seeds' 1-D lessons (examples/), run by the real runner in this process with the
 * optimizer's state streamed, as the dashboard events of one run each; with the lesson's
 * loss as drawn and its derivative in closed form, so a test can check the replay's tangent.
 */
import * as path from 'node:path';
import type { DashboardEvent } from '../../src/protocol/webview';
import { runInProcess } from '../unit/runner/runInProcess';

const EXAMPLES = path.resolve(__dirname, '../../examples');

export interface Lesson {
  runId: string;
  file: string;
  objective: string;
  lr: number;
  steps: number;
  maximize?: boolean;
  /** The loss the dashboard draws, and its derivative. */
  f(x: number): number;
  df(x: number): number;
}

const sinLesson = (lr: number): Lesson => ({
  runId: `xPlusSin-${lr}`, file: 'learningRate.ts', objective: 'xPlusSinX', lr, steps: 40, f: (x) => x + Math.sin(x), df: (x) => 1 + Math.cos(x),
});

export const LESSONS: Lesson[] = [
  sinLesson(1), sinLesson(0.1), sinLesson(0.01),
  { runId: 'hills', file: 'localMaximum.ts', objective: 'hills', lr: 0.01, steps: 60, maximize: true, f: (x) => 25 * Math.sin(x) - x * x, df: (x) => 25 * Math.cos(x) - 2 * x },
  { runId: 'xCosPiX', file: 'localMinima.ts', objective: 'fromZero', lr: 0.05, steps: 40, f: (x) => x * Math.cos(Math.PI * x), df: (x) => Math.cos(Math.PI * x) - Math.PI * x * Math.sin(Math.PI * x) },
  { runId: 'cube', file: 'degenerate.ts', objective: 'fromRight', lr: 0.05, steps: 40, f: (x) => x ** 3, df: (x) => 3 * x * x },
  { runId: 'tanh', file: 'vanishingGradient.ts', objective: 'fromFour', lr: 1, steps: 40, f: Math.tanh, df: (x) => 1 - Math.tanh(x) ** 2 },
];

/** The lesson's run as the runner streams it to the dashboard (started, landscape, steps, done). */
export async function lessonEvents(lesson: Lesson): Promise<DashboardEvent[]> {
  const file = path.join(EXAMPLES, lesson.file);
  const r = await runInProcess({
    file, objective: lesson.objective, optimizer: { id: 'sgd', lr: lesson.lr, ...(lesson.maximize ? { maximize: true } : {}) }, steps: lesson.steps, pathState: true,
  });
  if (!r.meta || !r.done) throw new Error(`${lesson.runId}: ${r.error?.message ?? 'did not finish'}`);
  const { runId } = lesson;
  return [
    { type: 'started', runId, file, meta: r.meta },
    ...r.landscapes.map((l): DashboardEvent => ({ ...l, runId })),
    { type: 'steps', runId, steps: r.steps },
    { ...r.done, runId },
  ];
}
