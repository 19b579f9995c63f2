/**
 * The edge-of-stability and spectral-density cards beside the charts' data: the edge chart's crossing markers,
 * each card's note (the figures and their errors in words), the spectrum card's two toggles (the density axis,
 * the eigenvalue range), the cards hidden while no run has such samples, and the curvature card's "density" toggle
 * that asks the next runs for the spectral density (the CLI's --spectrum; the curvature card is always there).
 */
import type { RunSnapshot } from '../src/protocol/webview';
import { chartKeys, type ChartCard, type ChartKind } from './chartCards';
import { formatTick } from './charts/axisTicks';
import type { AxisSpec, SeriesChart } from './charts/seriesChart';
import { el } from './dom';
import { edgeCrossings, edgeNotes } from './edgeOfStabilityChart';
import { densityIsLog, setDensityLog, spectrumAxes, spectrumNotes, tensorNotes } from './spectrumChart';
import { BULK_SHARE, bulkNotes, eigenRange, setEigenRange } from './spectrumRange';

type Label = (run: RunSnapshot) => string;

/** What the last update showed: the toggles redraw and rewrite the note from it. */
let shown: { runs: readonly RunSnapshot[]; label: Label } = { runs: [], label: (run) => run.runId };

/** Updates both cards; returns the charts whose markers changed (to redraw). */
export function updateDiagnosticsCards(
  cards: Record<ChartKind, ChartCard>, charts: Record<ChartKind, SeriesChart>, runs: readonly RunSnapshot[],
  label: Label, colour: (run: RunSnapshot) => string,
): ChartKind[] {
  shown = { runs, label };
  const changed: ChartKind[] = [];
  addSpectrumToggles(cards.spectrum, charts.spectrum);
  addDensityAsk(cards.curvature);
  if (charts.edge.setMarkers(edgeCrossings(runs, colour))) changed.push('edge');
  writeNote(cards.edge, charts.edge, edgeNotes(runs, label));
  writeNote(cards.spectrum, charts.spectrum, spectrumLines());
  return changed;
}

/** The spectrum card's key says which eigenvalue axis is drawn. */
const spectrumKey = (): string => (eigenRange() === 'bulk' ? chartKeys.spectrum.replace(/ on a symmetric-log axis$/, ': the bulk on a linear axis') : chartKeys.spectrum);

const spectrumLines = (): string[] => [...bulkNotes(shown.runs, shown.label), ...spectrumNotes(shown.runs, shown.label), ...tensorNotes(shown.runs, shown.label)];

function writeNote(card: ChartCard, chart: SeriesChart, lines: string[]): void {
  const drawn = chart.seriesList().some((s) => s.points.length > 0);
  card.root.hidden = !drawn && lines.length === 0;
  card.note.hidden = lines.length === 0;
  card.note.textContent = lines.join(' · ');
}

interface Toggle {
  /** The attribute that finds the button. */
  readonly data: string;
  /** The button's text and whether it is pressed, from the current setting. */
  state(): { text: string; pressed: boolean };
  readonly title: string;
  flip(): void;
}

const TOGGLES: readonly Toggle[] = [
  {
    data: 'data-eigen-range', title: `Eigenvalue range: every eigenvalue on a symmetric-log axis, or the bulk (the central ${Math.round(BULK_SHARE * 100)} % of the density's weight) on a linear axis`,
    state: () => (eigenRange() === 'bulk' ? { text: 'all λ', pressed: true } : { text: 'bulk', pressed: false }),
    flip: () => setEigenRange(eigenRange() === 'bulk' ? 'all' : 'bulk'),
  },
  {
    data: 'data-density-scale', title: 'Density axis: linear, or logarithmic to show the tails and small groups of outlying eigenvalues',
    state: () => (densityIsLog() ? { text: 'linear density', pressed: true } : { text: 'log density', pressed: false }),
    flip: () => setDensityLog(!densityIsLog()),
  },
];

/** The spectrum card's toggles (once per card): each switches its setting, the live chart's axes, curves and note. */
function addSpectrumToggles(card: ChartCard, chart: SeriesChart): void {
  for (const toggle of TOGGLES) {
    if (card.root.querySelector(`[${toggle.data}]`)) continue;
    const button = el('button', { type: 'button', class: 'small', [toggle.data]: '', title: toggle.title });
    const show = () => {
      const { text, pressed } = toggle.state();
      button.textContent = text;
      button.setAttribute('aria-pressed', String(pressed));
    };
    show();
    button.addEventListener('click', () => {
      toggle.flip();
      show();
      // The next rebuild reads the same settings (chartSpecs.ts); until then the live chart's axes follow them.
      applyAxes(chart);
      chart.pull(new Set(chart.seriesList().map((s) => s.runId)));
      chart.render();
      writeNote(card, chart, spectrumLines());
      card.caption.textContent = spectrumKey();
    });
    card.root.querySelector('header')?.insertBefore(button, card.png);
  }
}

/** Whether the next Run and Compare ask for the spectral density and trace. */
let densityAsked = false;

/** What the dashboard's run ask adds for the density toggle. */
export const spectrumAsk = (): { spectrum?: true } => (densityAsked ? { spectrum: true } : {});

/** The curvature card's "density" toggle (once; only where runs can start: in the editor, not in a report page). */
function addDensityAsk(card: ChartCard): void {
  if (typeof acquireVsCodeApi !== 'function' || card.root.querySelector('[data-ask-spectrum]')) return;
  const button = el('button', {
    type: 'button', class: 'small', 'data-ask-spectrum': '', 'aria-pressed': String(densityAsked), text: 'density',
    title: 'Sample the spectral density and trace with every curvature sample of the next runs (the CLI\'s --spectrum); drawn in the Spectral density card',
  });
  button.addEventListener('click', () => {
    densityAsked = !densityAsked;
    button.setAttribute('aria-pressed', String(densityAsked));
    // Small buttons have no pressed style: the dot says it is on (as the run table's pressed links do).
    button.textContent = densityAsked ? '● density' : 'density';
  });
  card.root.querySelector('header')?.insertBefore(button, card.png);
}

type LiveAxis = { type?: string; min?: number; title?: { text?: string }; ticks?: { callback?: unknown } };

/** The spectrum's axes (spectrumAxes) written into the live chart's options. */
function applyAxes(chart: SeriesChart): void {
  const specs = spectrumAxes(() => shown.runs);
  const scales = chart.chart.options.scales as Record<'x' | 'y', LiveAxis | undefined> | undefined;
  for (const [axis, spec] of [[scales?.x, specs.x], [scales?.y, specs.y]] as [LiveAxis | undefined, AxisSpec][]) {
    if (!axis) continue;
    axis.type = spec.type;
    axis.min = spec.min;
    if (axis.title) axis.title.text = spec.title;
    if (axis.ticks) axis.ticks.callback = spec.tickLabel ?? (spec.type === 'logarithmic' ? formatTick : undefined);
  }
}
