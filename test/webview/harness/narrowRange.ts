/**
 * A run whose loss, gradient norm and curvature each stay within one decade: Adam at lr 1e-3 on Himmelblau,
 * f = (x² + y − 11)² + (x + y² − 7)², from (0, 0), in plain numbers (torch.optim.Adam's update), with the exact 2×2
 * Hessian sampled every 50 steps. The loss goes 170 → ~139: no power of ten lies on its axis.
 */
import type { DashboardEvent } from '../../../src/protocol/webview';

const f = (x: number, y: number) => (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2;
const grad = (x: number, y: number): [number, number] => [
  4 * x * (x * x + y - 11) + 2 * (x + y * y - 7),
  2 * (x * x + y - 11) + 4 * y * (x + y * y - 7),
];
/** Eigenvalues of [[12x² + 4y − 42, 4x + 4y], [4x + 4y, 4x + 12y² − 26]], larger first. */
function eigen(x: number, y: number): [number, number] {
  const a = 12 * x * x + 4 * y - 42, b = 4 * x + 4 * y, c = 4 * x + 12 * y * y - 26;
  const mean = (a + c) / 2, r = Math.sqrt(((a - c) / 2) ** 2 + b * b);
  return [mean + r, mean - r];
}

function curvature(runId: string, step: number, x: number, y: number): DashboardEvent {
  const [lambdaMax, lambdaMin] = eigen(x, y);
  return {
    type: 'curvature', runId,
    sample: {
      step, lambdaMax, lambdaMin, condition: lambdaMin > 0 ? lambdaMax / lambdaMin : null, residualMax: 0, residualMin: 0,
      method: 'exact', negativeCount: (lambdaMax < 0 ? 1 : 0) + (lambdaMin < 0 ? 1 : 0), classification: 'not-critical',
      stabilityEdge: lambdaMax > 0 ? 2 / lambdaMax : null, suggestedLr: lambdaMax > 0 ? 1 / lambdaMax : null,
    },
  };
}

export function himmelblauAdamEvents(runId: string, steps = 500, lr = 1e-3): DashboardEvent[] {
  let x = 0, y = 0, mx = 0, my = 0, vx = 0, vy = 0;
  const records = [];
  const samples: DashboardEvent[] = [];
  for (let k = 0; k < steps; k++) {
    const [gx, gy] = grad(x, y);
    if (k % 50 === 0) samples.push(curvature(runId, k, x, y));
    mx = 0.9 * mx + 0.1 * gx; my = 0.9 * my + 0.1 * gy;
    vx = 0.999 * vx + 0.001 * gx * gx; vy = 0.999 * vy + 0.001 * gy * gy;
    const b1 = 1 - 0.9 ** (k + 1), b2 = 1 - 0.999 ** (k + 1);
    const dx = (-lr * (mx / b1)) / (Math.sqrt(vx / b2) + 1e-8), dy = (-lr * (my / b1)) / (Math.sqrt(vy / b2) + 1e-8);
    records.push({ step: k, loss: f(x, y), gradNorm: Math.hypot(gx, gy), updateNorm: Math.hypot(dx, dy), lr, evals: k + 1, wallMs: k, params: [x, y] });
    x += dx; y += dy;
  }
  return [
    {
      type: 'started', runId, meta: {
        objective: 'himmelblau', optimizer: { id: 'adam', lr, hp: { betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false } },
        paramCount: 2, paramNames: ['x', 'y'], steps, seed: 0, backend: 'cpu', tfjsVersion: '4.22.0', sourceHash: 'h',
        schedulePreview: Array.from({ length: steps }, () => lr), initialParams: [0, 0], domain: [[-5, 5], [-5, 5]],
      },
    },
    { type: 'steps', runId, steps: records },
    ...samples,
    curvature(runId, steps, x, y),
    { type: 'done', runId, status: 'completed', final: { loss: f(x, y), gradNorm: Math.hypot(...grad(x, y)), params: [x, y] }, stepsPerSecond: 1000, wallMs: steps, evals: steps },
  ];
}
