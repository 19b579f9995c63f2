/**
 * "Compare (tuned)" and "Sweep lr…" beside Compare: the dashboard asks the host (src/protocol/sweepAsks.ts) to tune
 * the optimizers it shows with the same budget each (the palette's tuned comparison), or to sweep the menu's
 * optimizer's lr; the host asks for the grid, says the budget, and the result opens in the Sweep card.
 */
import type { RunSnapshot } from '../../src/protocol/webview';
import type { HostApi } from '../hostApi';
import { el } from '../dom';
import { optimizerOfValue } from '../optimizerMenu';
import type { UiState } from '../uiState';

/** The built-in optimizers the dashboard shows: its runs' (rules left out), then the menu's, each once. */
export function shownOptimizers(runs: Iterable<RunSnapshot>, menuValue: string): string[] {
  const ids = [...runs].filter((r) => r.meta && r.meta.optimizer.file === undefined).map((r) => r.meta?.optimizer.id as string);
  const menu = optimizerOfValue(menuValue);
  return [...new Set([...ids, ...(menu.rule ? [] : [menu.id])])];
}

/** What the buttons need from the dashboard: its link to the host and the runs it shows. */
export interface SweepAsker {
  readonly host: HostApi;
  runs(): Iterable<RunSnapshot>;
}

/** The two buttons, their titles naming what they will tune with the controls as they are now. */
export function sweepButtons(asker: SweepAsker, ui: UiState): HTMLButtonElement[] {
  const { host } = asker;
  const runs = () => asker.runs();
  const tunedTitle = (): string => {
    const ids = shownOptimizers(runs(), ui.controls.optimizer);
    return `Tune the lr of ${ids.length >= 2 ? ids.join(', ') : 'the optimizers you pick'} with the same budget each (the same grid, ${ui.controls.steps} steps a run), then compare their best on held-out seeds in the Sweep card`;
  };
  const tuned = el('button', { id: 'ctl-tuned-compare', type: 'button', text: 'Compare (tuned)', title: tunedTitle() });
  // The controls change without a new render: the title follows them when it is about to show.
  for (const event of ['mouseenter', 'focus']) tuned.addEventListener(event, () => (tuned.title = tunedTitle()));
  tuned.addEventListener('click', () => host.post({ type: 'tunedCompare', optimizers: shownOptimizers(runs(), ui.controls.optimizer), steps: ui.controls.steps }));
  const sweep = el('button', {
    id: 'ctl-sweep', type: 'button', text: 'Sweep lr…',
    title: 'Sweep the menu\'s optimizer over a grid of learning rates (the steps control\'s steps a run, on every core); the Sweep card shows the result',
  });
  sweep.addEventListener('click', () => host.post({ type: 'runSweep', optimizer: optimizerOfValue(ui.controls.optimizer), steps: ui.controls.steps }));
  return [tuned, sweep];
}
