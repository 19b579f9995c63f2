/**
 * Dashboard entry point (bundled to media/dashboard.js). Inside VS Code it
 * says `ready` and waits for the host's snapshot; in a static report page it
 * reads the snapshot embedded in the page.
 */
import './style.css';
import { Dashboard } from './dashboard';
import { REPORT_DATA_ID } from '../src/protocol/webview';
import { connectHost } from './hostApi';
import { readTheme, watchTheme } from './theme';
import { StepDiagnosticsCards } from './stepDiagnosticsCards';
import { isSweepMessage, SweepCard } from './sweep/sweepCard';
import { isLrFinderMessage, LrFinderCard } from './lrFinder/lrFinderCard';
import { useLrInControls, useLrMessage } from './lrFinder/useLr';

function start(): void {
  const root = document.getElementById('app') ?? document.body;
  const host = connectHost();
  const dashboard = new Dashboard(root, host);
  (window as unknown as { optimizerLab: Dashboard }).optimizerLab = dashboard;
  // Per-tensor norms and the step-size gauge: cards of their own in the charts' grid, drawn from the dashboard's runs.
  const stepCards = new StepDiagnosticsCards(dashboard, readTheme);
  root.querySelector('.charts')?.append(stepCards.tensorsCard, stepCards.gaugeCard, stepCards.noiseCard);
  watchTheme(() => stepCards.retheme());
  (window as unknown as { optimizerLabStepDiagnostics: StepDiagnosticsCards }).optimizerLabStepDiagnostics = stepCards;
  // A sweep file opened from the editor gets its own card above the runs' charts.
  const sweep = new SweepCard(readTheme, host.inEditor ? (run) => host.post({ type: 'openSweepRun', run }) : undefined);
  root.querySelector('main')?.insertBefore(sweep.root, root.querySelector('.charts'));
  watchTheme(() => sweep.render());
  (window as unknown as { optimizerLabSweep: SweepCard }).optimizerLabSweep = sweep;
  // An lr range test run from the editor: its card sits above the sweep's; "Use this lr" sets the Run controls' lr.
  const lrFinder = new LrFinderCard(readTheme, (lr, optimizer) => {
    useLrInControls(dashboard.ui, root, lr);
    host.post(useLrMessage(lr, optimizer));
  });
  root.querySelector('main')?.insertBefore(lrFinder.root, sweep.root);
  watchTheme(() => lrFinder.render());
  (window as unknown as { optimizerLabLrFinder: LrFinderCard }).optimizerLabLrFinder = lrFinder;
  window.addEventListener('message', (event: MessageEvent) => {
    if (isLrFinderMessage(event.data)) lrFinder.receive(event.data);
    else if (isSweepMessage(event.data)) sweep.receive(event.data);
    else {
      dashboard.receive(event.data);
      stepCards.refresh();
    }
  });
  if (host.inEditor) {
    host.post({ type: 'ready' });
    return;
  }
  const embedded = document.getElementById(REPORT_DATA_ID)?.textContent;
  if (embedded) {
    dashboard.receive(JSON.parse(embedded));
    stepCards.refresh();
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
