/**
 * `optlab list-optimizers`: the built-in optimizers as the registry describes them, grouped by family,
 * one block per optimizer (what it follows, its summary, its defaults, whether it compiles).
 */
import type { OptimizerInfo } from '../protocol/runner';
import { fmt, hpText } from './terminalOutput';

/** The families in the catalogue's order (the registry keeps a family's members together; this keeps first appearance). */
export function byFamily(catalog: readonly OptimizerInfo[]): Map<string, OptimizerInfo[]> {
  const groups = new Map<string, OptimizerInfo[]>();
  for (const o of catalog) groups.set(o.family, [...(groups.get(o.family) ?? []), o]);
  return groups;
}

/** 'yes', or which kind of parameter compiles and why the other does not. */
export function fastPathText({ fastPath }: OptimizerInfo): string {
  const why = fastPath.note ? `: ${fastPath.note}` : '';
  if (fastPath.vector && fastPath.matrix) return 'yes (vectors and matrices)';
  if (fastPath.vector) return `vectors only; matrices run on tensors${why}`;
  if (fastPath.matrix) return `matrices only; vectors run on tensors${why}`;
  return `no${why}`;
}

/** Every default as `--hp` takes it: `lr=0.001 betas=0.9,0.999 ...` (lr first; set it with --lr). */
export function defaultsText(o: OptimizerInfo): string {
  return [`lr=${fmt(o.defaultLr)}`, ...o.hyperparams.map((h) => `${h.name}=${hpText(h.default)}`)].join(' ');
}

function block(o: OptimizerInfo, idWidth: number): string {
  const indent = ' '.repeat(idWidth + 4);
  return [
    `  ${o.id.padEnd(idWidth)}  ${o.reference}`,
    `${indent}${o.summary}`,
    `${indent}defaults: ${defaultsText(o)}`,
    `${indent}compiles: ${fastPathText(o)}`,
  ].join('\n');
}

/** The terminal listing: a heading per family, a block per optimizer. */
export function optimizerListing(catalog: readonly OptimizerInfo[]): string {
  const idWidth = Math.max(0, ...catalog.map((o) => o.id.length));
  const sections = [...byFamily(catalog)].map(([family, members]) => [family, ...members.map((o) => block(o, idWidth))].join('\n'));
  const footer = 'lr with --lr, the others with --hp name=value (torch.optim names); a rule of your own with --optimizer FILE#NAME';
  return `${sections.join('\n\n')}\n\n${footer}`;
}
