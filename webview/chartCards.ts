/** The chart cards: title, a short key, the canvas, and a PNG export button. */
import { el } from './dom';

export type ChartKind = 'loss' | 'grad' | 'lr' | 'curvature' | 'edge' | 'spectrum' | 'trajectory';

export const chartTitles: Record<ChartKind, string> = {
  loss: 'Loss', grad: 'Gradient and update norm', lr: 'Learning rate', curvature: 'Curvature', edge: 'Edge of stability', spectrum: 'Spectral density', trajectory: 'Trajectory',
};

export const chartKeys: Record<ChartKind, string> = {
  loss: 'one line per run; faded dashed lines: previous code version',
  grad: 'solid ‖∇f‖, dashed ‖Δx‖',
  lr: 'dotted: schedule preview · solid: realised lr · dots: 2/λmax stability edge',
  curvature: 'solid λmax with residual band · dashed |λmin| (▲ negative) · dotted κ',
  edge: 'solid sharpness (λmax; λmax(P⁻¹H) for adaptive optimizers) with residual band · dashed: its limit at the run\'s lr · marker: reached',
  spectrum: 'latest Hessian eigenvalue density (stochastic Lanczos quadrature, smoothed) on a symmetric-log axis',
  trajectory: 'loss contours over the domain, one path per run',
};

export interface ChartCard {
  kind: ChartKind;
  root: HTMLElement;
  canvas: HTMLCanvasElement;
  caption: HTMLElement;
  note: HTMLElement;
  png: HTMLButtonElement;
}

export function chartCard(kind: ChartKind): ChartCard {
  const canvas = el('canvas', { role: 'img', 'aria-label': `${chartTitles[kind]} chart` });
  const png = el('button', { type: 'button', class: 'small', title: `Save the ${chartTitles[kind]} chart as PNG`, text: 'PNG', 'data-png': kind });
  const caption = el('p', { class: 'caption', text: chartKeys[kind] });
  const note = el('p', { class: 'note', hidden: true });
  const root = el('section', { class: `card card-${kind}`, 'aria-label': chartTitles[kind], 'data-chart': kind },
    el('header', {}, el('h2', { text: chartTitles[kind] }), png),
    caption,
    el('div', { class: 'plot' }, canvas),
    note);
  return { kind, root, canvas, caption, note, png };
}
