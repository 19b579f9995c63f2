/**
 * Realistic runner event streams without the runner: gradient descent,
 * momentum and Adam on Rosenbrock in plain numbers (the same update rules as
 * torch.optim), batched the way the runner batches, with exact 2×2 Hessian
 * curvature samples and a landscape grid. Self-contained (type imports only)
 * so it is also bundled into the harness page for the streaming benchmark.
 */
import type { DashboardEvent } from '../../../src/protocol/webview';

export interface RunPlan {
  runId: string;
  optimizer: 'sgd' | 'momentum' | 'adam';
  lr: number;
  steps: number;
  /** Steps per 'steps' message (the runner's read-back batch). */
  batch?: number;
  curvatureEvery?: number;
  schedule?: 'constant' | 'cosine';
  /** Simulated wall time per step and evaluations per step. */
  msPerStep?: number;
  objective?: string;
  /** Stochastic gradients: Gaussian noise of this size on each component (a mini-batch stand-in), drawn from `seed`. */
  noise?: number;
  seed?: number;
  /** "Repeat with N seeds" group id, as the host puts it on 'started'. */
  group?: string;
}

/** mulberry32 turned Gaussian (Box–Muller): the same seed gives the same noise. */
function gaussian(seed: number): () => number {
  let a = (seed + 0x9e3779b9) >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 1) / 4294967297;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

const f = (x: number, y: number) => (1 - x) ** 2 + 100 * (y - x * x) ** 2;
const grad = (x: number, y: number): [number, number] => [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)];
const hessian = (x: number, y: number): [number, number, number] => [2 - 400 * (y - 3 * x * x), -400 * x, 200];

export const domain: [number, number][] = [[-2, 2], [-1, 3]];
export const initialParams = [-1.2, 1];

export function landscapeGrid(n = 60): { kind: 'contour'; xs: number[]; ys: number[]; values: number[][] } {
  const xs = Array.from({ length: n }, (_, i) => domain[0][0] + ((domain[0][1] - domain[0][0]) * i) / (n - 1));
  const ys = Array.from({ length: n }, (_, j) => domain[1][0] + ((domain[1][1] - domain[1][0]) * j) / (n - 1));
  return { kind: 'contour', xs, ys, values: ys.map((y) => xs.map((x) => f(x, y))) };
}

function lrAt(plan: RunPlan, k: number): number {
  if (plan.schedule !== 'cosine') return plan.lr;
  return plan.lr * 0.5 * (1 + Math.cos((Math.PI * k) / plan.steps));
}

/** Yields the run's events in order; stops early (status 'diverged') on NaN/Inf. */
export function* runEvents(plan: RunPlan): Generator<DashboardEvent> {
  const batch = plan.batch ?? 100;
  const msPerStep = plan.msPerStep ?? 0.05;
  const hp: Record<string, number | boolean | number[]> = plan.optimizer === 'adam'
    ? { betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false }
    : { momentum: plan.optimizer === 'momentum' ? 0.9 : 0, dampening: 0, weight_decay: 0, nesterov: false };
  yield {
    type: 'started', runId: plan.runId, file: '/work/examples/rosenbrock.ts', ...(plan.group ? { group: plan.group } : {}),
    meta: {
      objective: plan.objective ?? 'rosenbrock', optimizer: { id: plan.optimizer === 'adam' ? 'adam' : 'sgd', lr: plan.lr, hp },
      schedule: plan.schedule === 'cosine' ? `cosine:T_max=${plan.steps}` : undefined,
      // As the runner sends it (scheduleForm of the spec), written out: the harness runs in the browser's test process.
      ...(plan.schedule === 'cosine' ? { scheduleForm: { type: 'scheduler' as const, torchClass: 'CosineAnnealingLR', args: { T_max: plan.steps } } } : {}),
      paramCount: 2, paramNames: ['x', 'y'], steps: plan.steps, seed: plan.seed ?? 0, backend: 'wasm', tfjsVersion: '4.22.0',
      sourceHash: 'f'.repeat(64), minimum: 0, domain, initialParams,
      schedulePreview: Array.from({ length: plan.steps }, (_, k) => lrAt(plan, k)),
    },
  };
  let [x, y] = initialParams;
  let vx = 0, vy = 0, mx = 0, my = 0, sx = 0, sy = 0;
  let pending: Extract<DashboardEvent, { type: 'steps' }>['steps'] = [];
  let status: 'completed' | 'diverged' = 'completed';
  let k = 0;
  let lastGood = initialParams;
  const noise = gaussian(plan.seed ?? 0);
  for (; k < plan.steps; k++) {
    const loss = f(x, y);
    const [gx, gy] = grad(x, y).map((g) => g + (plan.noise ?? 0) * noise());
    const lr = lrAt(plan, k);
    if (!Number.isFinite(loss) || !Number.isFinite(gx) || !Number.isFinite(gy)) {
      status = 'diverged';
      break;
    }
    let dx: number, dy: number;
    if (plan.optimizer === 'adam') {
      mx = 0.9 * mx + 0.1 * gx; my = 0.9 * my + 0.1 * gy;
      sx = 0.999 * sx + 0.001 * gx * gx; sy = 0.999 * sy + 0.001 * gy * gy;
      const b1 = 1 - 0.9 ** (k + 1), b2 = 1 - 0.999 ** (k + 1);
      dx = (-lr * (mx / b1)) / (Math.sqrt(sx / b2) + 1e-8);
      dy = (-lr * (my / b1)) / (Math.sqrt(sy / b2) + 1e-8);
    } else {
      const mu = plan.optimizer === 'momentum' ? 0.9 : 0;
      vx = k === 0 ? gx : mu * vx + gx; vy = k === 0 ? gy : mu * vy + gy;
      dx = -lr * vx; dy = -lr * vy;
    }
    pending.push({ step: k, loss, gradNorm: Math.hypot(gx, gy), updateNorm: Math.hypot(dx, dy), lr, evals: k + 1, wallMs: (k + 1) * msPerStep, params: [x, y] });
    lastGood = [x, y];
    const every = plan.curvatureEvery ?? 0;
    if (every > 0 && k % every === 0) yield curvature(plan.runId, k, x, y, Math.hypot(gx, gy));
    x += dx; y += dy;
    if (pending.length >= batch) {
      yield { type: 'steps', runId: plan.runId, steps: pending };
      pending = [];
    }
  }
  if (pending.length > 0) yield { type: 'steps', runId: plan.runId, steps: pending };
  if ((plan.curvatureEvery ?? 0) > 0 && status === 'completed') yield curvature(plan.runId, k, x, y, Math.hypot(...grad(x, y)));
  const done = status === 'completed';
  // On divergence the runner reports the last good point (the NaN step is not kept).
  if (!done) [x, y] = lastGood;
  yield {
    type: 'done', runId: plan.runId, status, stepsPerSecond: 1000 / msPerStep, wallMs: k * msPerStep, evals: k,
    final: { loss: f(x, y), gradNorm: Math.hypot(...grad(x, y)), params: [x, y] },
    message: done ? undefined : `diverged at step ${k}`,
  };
}

function curvature(runId: string, step: number, x: number, y: number, gradNorm: number): DashboardEvent {
  const [a, b, c] = hessian(x, y);
  const mean = (a + c) / 2, r = Math.sqrt(((a - c) / 2) ** 2 + b * b);
  const lambdaMax = mean + r, lambdaMin = mean - r;
  const critical = gradNorm < 1e-3;
  return {
    type: 'curvature', runId,
    sample: {
      step, lambdaMax, lambdaMin, condition: lambdaMin > 0 ? lambdaMax / lambdaMin : null,
      residualMax: Math.abs(lambdaMax) * 0.02, residualMin: Math.abs(lambdaMin) * 0.05, method: 'exact',
      negativeCount: lambdaMin < 0 ? 1 : 0,
      classification: critical ? (lambdaMin > 0 ? 'minimum' : 'saddle') : 'not-critical',
      stabilityEdge: lambdaMax > 0 ? 2 / lambdaMax : null, suggestedLr: lambdaMax > 0 ? 1 / lambdaMax : null,
    },
  };
}

export function allEvents(plan: RunPlan): DashboardEvent[] {
  return [...runEvents(plan)];
}
