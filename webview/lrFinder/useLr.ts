/**
 * "Use this lr" on the dashboard's side: the Run controls' lr takes the value (the log slider shows the
 * nearest of its positions, the readout the value itself) and counts as the user's choice, so the
 * settings' defaults in a later snapshot do not overwrite it. The host is told, for the setting.
 */
import type { WebviewToHost } from '../../src/protocol/webview';
import { formatLr } from '../controls';
import type { UiState } from '../uiState';

export function useLrInControls(ui: UiState, root: ParentNode, lr: number): void {
  ui.controls.lr = lr;
  ui.controlsChanged = true;
  const slider = root.querySelector<HTMLInputElement>('#ctl-lr');
  if (slider) {
    slider.value = Math.log10(lr).toFixed(2);
    slider.setAttribute('aria-valuetext', formatLr(lr));
  }
  const readout = root.querySelector('#ctl-lr-value');
  if (readout) readout.textContent = formatLr(lr);
}

export const useLrMessage = (lr: number, optimizer: string): WebviewToHost => ({ type: 'useLr', lr, optimizer });
