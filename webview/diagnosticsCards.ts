/**
 * The edge-of-stability and spectral-density cards beside the charts' data: the edge chart's crossing markers,
 * each card's note (the figures and their errors in words), and the cards hidden while no run has such samples.
 */
import type { RunSnapshot } from '../src/protocol/webview';
import type { ChartCard, ChartKind } from './chartCards';
import type { SeriesChart } from './charts/seriesChart';
import { edgeCrossings, edgeNotes } from './edgeOfStabilityChart';
import { spectrumNotes, tensorNotes } from './spectrumChart';

/** Updates both cards; returns the charts whose markers changed (to redraw). */
export function updateDiagnosticsCards(
  cards: Record<ChartKind, ChartCard>, charts: Record<ChartKind, SeriesChart>, runs: readonly RunSnapshot[],
  label: (run: RunSnapshot) => string, colour: (run: RunSnapshot) => string,
): ChartKind[] {
  const changed: ChartKind[] = [];
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
