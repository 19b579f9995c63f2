/**
 * The sidebar's tree as plain data: objectives, each with its saved runs newest first, every run with its
 * optimizer, lr, final loss, status and time; a filter of words that must all appear. No vscode here.
 */
import type { SavedRunHeader, SavedStatus } from '../../protocol/savedRun';
import { formatNumber } from '../lensTitles';

export interface RunNode {
  readonly kind: 'run';
  readonly runId: string;
  readonly label: string;
  readonly description: string;
  readonly tooltip: string;
  readonly status: SavedStatus;
  readonly pinned: boolean;
  readonly shown: boolean;
}

export interface ObjectiveNode {
  readonly kind: 'objective';
  readonly key: string;
  readonly label: string;
  readonly description: string;
  readonly runs: RunNode[];
}

export interface TreeInputs {
  /** Words that must all appear (case-insensitive) in a run's objective, file, optimizer, name or status. */
  readonly filter: string;
  readonly shown: (runId: string) => boolean;
  /** A file as the tree names it (workspace-relative in the editor). */
  readonly displayPath: (file: string) => string;
  /** Today, for the time column (a run of today shows its time, an older one its date). */
  readonly now: Date;
}

const two = (n: number): string => String(n).padStart(2, '0');

/** `14:05` for a run of `now`'s day, else `2026-12-01 14:05` (local time). */
export function runTime(iso: string, now: Date): string {
  const t = new Date(iso);
  const hm = `${two(t.getHours())}:${two(t.getMinutes())}`;
  const sameDay = t.getFullYear() === now.getFullYear() && t.getMonth() === now.getMonth() && t.getDate() === now.getDate();
  return sameDay ? hm : `${t.getFullYear()}-${two(t.getMonth() + 1)}-${two(t.getDate())} ${hm}`;
}

function runNode(h: SavedRunHeader, inputs: TreeInputs): RunNode {
  const s = h.summary;
  const optimizer = s?.optimizer ?? h.request.optimizer ?? '?';
  const lr = s?.lr ?? h.request.lr;
  const status: SavedStatus = s?.status ?? 'running';
  const loss = s?.finalLoss;
  const name = `${optimizer}${lr !== undefined && lr !== null ? ` lr ${formatNumber(lr)}` : ''}`;
  const parts = [loss !== undefined && loss !== null ? formatNumber(loss) : undefined, status, runTime(h.startedAt, inputs.now)];
  return {
    kind: 'run',
    runId: h.runId,
    label: h.label ? `${h.label} (${name})` : name,
    description: parts.filter((p) => p !== undefined).join(' · '),
    tooltip: [
      `${h.label ? `${h.label}: ` : ''}${name} on ${s?.objective ?? h.request.objective ?? ''}`,
      `${status}${loss !== undefined && loss !== null ? `, final loss ${loss}` : ''} after ${s?.steps ?? 0} steps`,
      `seed ${s?.seed ?? h.request.seed ?? 0}${s?.backend ? `, ${s.backend} backend` : ''}; started ${h.startedAt}`,
      ...(s?.thinnedFrom ? [`${s.thinnedFrom} step records thinned for saving`] : []),
      ...(h.objectiveHash ? [`objective source ${h.objectiveHash.slice(0, 12)}`] : []),
      ...(h.ruleHash ? [`rule source ${h.ruleHash.slice(0, 12)}`] : []),
      ...(h.pinned ? ['pinned: kept by the clean-up and across new runs'] : []),
    ].join('\n'),
    status,
    pinned: h.pinned === true,
    shown: inputs.shown(h.runId),
  };
}

function matches(h: SavedRunHeader, node: RunNode, objective: string, file: string, words: readonly string[]): boolean {
  const text = `${objective} ${file} ${node.label} ${node.status} ${h.request.schedule ?? ''}`.toLowerCase();
  return words.every((w) => text.includes(w));
}

/** `headers`: newest first (the store's order). Objectives are ordered by their newest run. */
export function runTree(headers: readonly SavedRunHeader[], inputs: TreeInputs): ObjectiveNode[] {
  const words = inputs.filter.toLowerCase().split(/\s+/).filter(Boolean);
  const byObjective = new Map<string, { objective: string; file: string; runs: RunNode[] }>();
  for (const h of headers) {
    const objective = h.summary?.objective ?? h.request.objective ?? '(objective)';
    const file = inputs.displayPath(h.request.file);
    const node = runNode(h, inputs);
    if (!matches(h, node, objective, file, words)) continue;
    const key = `${h.request.file}#${objective}`;
    const group = byObjective.get(key) ?? { objective, file, runs: [] };
    group.runs.push(node);
    byObjective.set(key, group);
  }
  return [...byObjective.entries()].map(([key, g]) => ({
    kind: 'objective', key, label: g.objective, description: `${g.file} · ${g.runs.length} run${g.runs.length === 1 ? '' : 's'}`, runs: g.runs,
  }));
}
