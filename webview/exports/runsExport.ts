/** The runs as CSV (one row per step) and JSON (the snapshot records). */
import type { RunSnapshot } from '../../src/protocol/webview';

export function runsCsv(runs: readonly RunSnapshot[]): string {
  const rows = ['run,optimizer,base_lr,step,loss,grad_norm,update_norm,lr,evals,wall_ms'];
  for (const r of runs) {
    const id = r.meta?.optimizer.id ?? '';
    const base = r.meta?.optimizer.lr ?? '';
    for (const s of r.steps) rows.push([r.runId, id, base, s.step, s.loss, s.gradNorm, s.updateNorm, s.lr, s.evals, s.wallMs].join(','));
  }
  return rows.join('\n') + '\n';
}

export function runsJson(runs: readonly RunSnapshot[], version: number): string {
  return JSON.stringify({ version, runs }, null, 1);
}
