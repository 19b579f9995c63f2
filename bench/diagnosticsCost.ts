/**
 * What each `--diagnostics` preset costs (a benchmark, not a test): the share of a run's time its curvature samples
 * took, as the last sample reports it (`costShare`), with the number of samples, for runs long enough that the two
 * samples every run takes (step 0 and the final point) do not dominate.
 *   npx tsx bench/diagnosticsCost.ts [steps]
 */
import * as path from 'node:path';
import type { DiagnosticsPreset } from '../src/protocol/diagnostics';
import { DIAGNOSTICS_PRESETS } from '../src/runner/diagnosticsPlan';
import { runInProcess } from '../test/unit/runner/runInProcess';

const steps = Number(process.argv[2] ?? 60_000);
const cases: { file: string; objective: string; optimizer: { id: string; lr: number } }[] = [
  { file: 'mlpRegression.ts', objective: 'mlp', optimizer: { id: 'adam', lr: 0.01 } },
  { file: 'edgeOfStability.ts', objective: 'sharpening', optimizer: { id: 'sgd', lr: 0.15 } },
];

async function main(): Promise<void> {
  for (const c of cases) {
    for (const preset of [undefined, ...(Object.keys(DIAGNOSTICS_PRESETS) as DiagnosticsPreset[])]) {
      const r = await runInProcess({
        file: path.resolve(__dirname, '../examples', c.file), objective: c.objective, optimizer: c.optimizer, steps, timeLimitMs: 600_000,
        curvatureEvery: 'auto', ...(preset ? { diagnostics: preset } : {}),
      });
      const last = r.curvature[r.curvature.length - 1];
      const budget = preset ? DIAGNOSTICS_PRESETS[preset].share : 0.1;
      console.log(`${c.file} ${c.optimizer.id} ${preset ?? 'auto (no preset)'}: ${r.curvature.length} samples, run ${((r.done?.wallMs ?? NaN) / 1000).toFixed(1)} s, `
        + `diagnostics ${(100 * (last?.costShare ?? NaN)).toFixed(1)}% (budget ${100 * budget}%)`);
    }
  }
}

void main();
