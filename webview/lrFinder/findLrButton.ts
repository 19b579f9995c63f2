/**
 * "Find lr" beside Run: the dashboard asks the host (`findLr`, src/protocol/lrFinder.ts) for the lr range test on
 * its objective with the optimizer the menu shows; the answer fills the LR finder card (lrFinderCard.ts), whose
 * "Use lr" sets the lr control.
 */
import { el } from '../dom';

export function findLrButton(onClick: () => void): HTMLButtonElement {
  const button = el('button', {
    id: 'ctl-find-lr', type: 'button', text: 'Find lr',
    title: 'Learning-rate range test with this optimizer on the current objective (lr 1e-7 → 10, fastai\'s lr_find); the LR finder card suggests an lr',
  });
  button.addEventListener('click', onClick);
  return button;
}
