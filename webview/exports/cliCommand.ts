/** "Copy as CLI command": the `optlab run` line that repeats a run. */
import type { RunSnapshot } from '../../src/protocol/webview';

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function hpText(v: number | boolean | string | number[]): string {
  return Array.isArray(v) ? v.join(',') : String(v);
}

export function cliCommand(run: RunSnapshot, fallbackFile?: string): string {
  const m = run.meta;
  if (!m) return '';
  const parts = ['optlab', 'run', shellQuote(run.file ?? fallbackFile ?? 'objective.ts'), '--objective', shellQuote(m.objective),
    // A workspace rule is named by its file: `--optimizer FILE#NAME`.
    '--optimizer', m.optimizer.file ? shellQuote(`${m.optimizer.file}#${m.optimizer.id}`) : m.optimizer.id, '--lr', String(m.optimizer.lr), '--steps', String(m.steps)];
  for (const [k, v] of Object.entries(m.optimizer.hp)) parts.push('--hp', shellQuote(`${k}=${hpText(v)}`));
  if (m.schedule && m.schedule !== 'constant') parts.push('--schedule', shellQuote(m.schedule));
  parts.push('--seed', String(m.seed));
  return parts.join(' ');
}
