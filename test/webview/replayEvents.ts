/**
 * Event streams for the replay tests: the harness's Rosenbrock runs with the
 * path state the runner streams (the gradient from Rosenbrock's closed form;
 * Adam's first moment and effective step re-derived here in float64), and a
 * 1-parameter gradient-descent run on f(x) = x + sin x with its loss curve.
 */
import type { DashboardEvent, Landscape } from '../../src/protocol/webview';
import { runEvents, type RunPlan } from './harness/eventStream';

const rosenGrad = (x: number, y: number): number[] => [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)];

/** The plan's events with `state` on every record (and, for Adam, the moment and effective step). */
export function withState(plan: RunPlan): DashboardEvent[] {
  const m = [0, 0], v = [0, 0];
  return [...runEvents(plan)].map((e) => {
    if (e.type !== 'steps') return e;
    return {
      ...e, steps: e.steps.map((s) => {
        const grad = rosenGrad(s.params?.[0] ?? NaN, s.params?.[1] ?? NaN);
        if (plan.optimizer !== 'adam') return { ...s, state: { grad } };
        const t = s.step + 1;
        for (let i = 0; i < 2; i++) {
          m[i] = 0.9 * m[i] + 0.1 * grad[i];
          v[i] = 0.999 * v[i] + 0.001 * grad[i] * grad[i];
        }
        const effectiveStep = m.map((mi, i) => (s.lr * mi / (1 - 0.9 ** t)) / (Math.sqrt(v[i] / (1 - 0.999 ** t)) + 1e-8));
        return { ...s, state: { grad, moment: [...m], momentKey: 'exp_avg', effectiveStep } };
      }),
    };
  });
}

export const sinLine = (x: number): number => x + Math.sin(x);
const sinSlope = (x: number): number => 1 + Math.cos(x);

/** Gradient descent on x + sin x from x0 (one of the seeds' 1-D lessons), with its curve landscape. */
export function sinRun(runId: string, lr: number, x0: number, steps: number): { events: DashboardEvent[]; xs: number[] } {
  const xs = [x0];
  for (let k = 0; k < steps; k++) xs.push(xs[k] - lr * sinSlope(xs[k]));
  const grid: Landscape = { kind: 'curve', xs: Array.from({ length: 200 }, (_, i) => -8 + (16 * i) / 199), values: [[]], axes: ['x'] };
  grid.values[0] = grid.xs.map(sinLine);
  const events: DashboardEvent[] = [
    {
      type: 'started', runId, file: '/work/examples/lessons.ts',
      meta: {
        objective: 'xPlusSin', optimizer: { id: 'sgd', lr, hp: {} }, paramCount: 1, paramNames: ['x'], steps, seed: 0, backend: 'cpu',
        tfjsVersion: '4.22.0', sourceHash: 'e'.repeat(64), initialParams: [x0], schedulePreview: [],
      },
    },
    { type: 'landscape', runId, grid },
    {
      type: 'steps', runId,
      steps: xs.slice(0, steps).map((x, k) => ({
        step: k, loss: sinLine(x), gradNorm: Math.abs(sinSlope(x)), updateNorm: Math.abs(xs[k + 1] - x), lr, evals: k + 1, wallMs: k, params: [x], state: { grad: [sinSlope(x)] },
      })),
    },
    {
      type: 'done', runId, status: 'completed', stepsPerSecond: 1000, wallMs: steps, evals: steps + 1,
      final: { loss: sinLine(xs[steps]), gradNorm: Math.abs(sinSlope(xs[steps])), params: [xs[steps]] },
    },
  ];
  return { events, xs };
}
