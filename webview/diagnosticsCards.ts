/**
 * The edge-of-stability and spectral-density cards beside the charts' data: the edge chart's crossing markers,
 * each card's note (the figures and their errors in words), and the cards hidden while no run has such samples.
 */
import type { RunSnapshot } from '../src/protocol/webview';
import type { ChartCard, ChartKind } from './chartCards';
import { formatTick } from './charts/axisTicks';
import type { SeriesChart } from './charts/seriesChart';
import { el } from './dom';
import { edgeCrossings, edgeNotes } from './edgeOfStabilityChart';
import { densityIsLog, setDensityLog, spectrumNotes, tensorNotes } from './spectrumChart';

/** Updates both cards; returns the charts whose markers changed (to redraw). */
export function updateDiagnosticsCards(
  cards: Record<ChartKind, ChartCard>, charts: Record<ChartKind, SeriesChart>, runs: readonly RunSnapshot[],
  label: (run: RunSnapshot) => string, colour: (run: RunSnapshot) => string,
): ChartKind[] {
  const changed: ChartKind[] = [];
  addDensityToggle(cards.spectrum, charts.spectrum);
  if (charts.edge.setMarkers(edgeCrossings(runs, colour))) changed.push('edge');
  const notes: [ChartKind, string[]][] = [['edge', edgeNotes(runs, label)], ['spectrum', [...spectrumNotes(runs, label), ...tensorNotes(runs, label)]]];
  for (const [kind, lines] of notes) {
    const card = cards[kind];
    const drawn = charts[kind].seriesList().some((s) => s.points.length > 0);
    card.root.hidden = !drawn && lines.length === 0;
    card.note.hidden = lines.length === 0;
    card.note.textContent = lines.join(' · ');
  }
  return changed;
}

/** The spectrum card's "log density" toggle (once per card): switches the density axis in place and redraws the curves. */
function addDensityToggle(card: ChartCard, chart: SeriesChart): void {
  if (card.root.querySelector('[data-density-scale]')) return;
  const label = () => (densityIsLog() ? 'linear density' : 'log density');
  const button = el('button', {
    type: 'button', class: 'small', 'data-density-scale': '', 'aria-pressed': 'false', text: label(),
    title: 'Density axis: linear, or logarithmic to show the tails and small groups of outlying eigenvalues',
  });
  button.addEventListener('click', () => {
    setDensityLog(!densityIsLog());
    button.textContent = label();
    button.setAttribute('aria-pressed', String(densityIsLog()));
    // The next rebuild reads the same setting (chartSpecs.ts); until then the live chart's axis follows it.
    const y = chart.chart.options.scales?.y as { type?: string; min?: number; title?: { text?: string }; ticks?: { callback?: unknown } } | undefined;
    if (y) {
      y.type = densityIsLog() ? 'logarithmic' : 'linear';
      y.min = densityIsLog() ? undefined : 0;
      if (y.ticks) y.ticks.callback = densityIsLog() ? formatTick : undefined;
      if (y.title) y.title.text = densityIsLog() ? 'density (log)' : 'density';
    }
    chart.pull(new Set(chart.seriesList().map((s) => s.runId)));
    chart.render();
  });
  card.root.querySelector('header')?.insertBefore(button, card.png);
}
