/**
 * The README's optimizer comparison: examples/mlpRegression.ts (a 1 → 16 tanh → 1 network, mini-batches of
 * 16) under every first-order optimizer with the same budget of gradient evaluations, each at its best lr
 * from a small grid around its default (tuning only one of them would not be a comparison). Reports the
 * final full-data loss, the lr that gave it and the evaluations spent (SAM spends two per step, Sophia a
 * Hessian-vector product every k steps: both get fewer steps for the same budget).
 *   npx tsx bench/mlpComparison.ts [evaluations] [seed]
 */
import * as path from 'node:path';
import { runInProcess } from '../test/unit/runner/runInProcess';

const FILE = path.resolve(__dirname, '../examples/mlpRegression.ts');
/** Each optimizer with the lr its grid is centred on and how many evaluations a step costs. */
const CONTENDERS: { id: string; lr: number; evalsPerStep: number; hp?: Record<string, number | boolean | number[]> }[] = [
  { id: 'sgd', lr: 0.1, evalsPerStep: 1, hp: { momentum: 0.9 } },
  { id: 'adam', lr: 0.01, evalsPerStep: 1 },
  { id: 'adamw', lr: 0.01, evalsPerStep: 1 },
  { id: 'nadam', lr: 0.01, evalsPerStep: 1 },
  { id: 'radam', lr: 0.01, evalsPerStep: 1 },
  { id: 'adopt', lr: 0.01, evalsPerStep: 1 },
  { id: 'ademamix', lr: 0.01, evalsPerStep: 1 },
  { id: 'lion', lr: 0.001, evalsPerStep: 1 },
  { id: 'adafactor', lr: 0.01, evalsPerStep: 1 },
  { id: 'muon', lr: 0.02, evalsPerStep: 1 },
  { id: 'schedule-free-adamw', lr: 0.01, evalsPerStep: 1 },
  { id: 'sam', lr: 0.1, evalsPerStep: 2 },
  { id: 'sophia', lr: 0.01, evalsPerStep: 1.1 },
];
const GRID = [0.1, 0.3, 1, 3, 10];

async function main(): Promise<void> {
  const budget = Number(process.argv[2] ?? 2000);
  const seed = Number(process.argv[3] ?? 0);
  console.log(`| optimizer | best lr | final loss | gradient evaluations | steps |`);
  console.log(`|---|---:|---:|---:|---:|`);
  for (const c of CONTENDERS) {
    const steps = Math.floor(budget / c.evalsPerStep);
    let best: { lr: number; loss: number; evals: number } | undefined;
    for (const factor of GRID) {
      const lr = c.lr * factor;
      const r = await runInProcess({ file: FILE, optimizer: { id: c.id, lr, hp: c.hp ?? {} }, steps, seed, curvatureEvery: 0 });
      const loss = r.done?.status === 'completed' ? r.done.final.loss : Infinity;
      if (!best || loss < best.loss) best = { lr, loss, evals: r.done?.evals ?? NaN };
    }
    const b = best as { lr: number; loss: number; evals: number };
    console.log(`| ${c.id}${c.hp ? ` (${Object.entries(c.hp).map(([k, v]) => `${k} ${v}`).join(', ')})` : ''} | ${b.lr.toPrecision(2)} | ${b.loss.toPrecision(3)} | ${b.evals} | ${steps} |`);
  }
}

void main();
