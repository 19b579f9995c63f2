/** The edge-of-stability note says what the diagnostics cost (issue 21's cost control: the share of run time, as the CLI prints it). */
import * as assert from 'node:assert/strict';
import { runsFromEvents } from '../../src/protocol/runHistory';
import { edgeNotes } from '../../webview/edgeOfStabilityChart';
import { allEvents } from './harness/eventStream';

function runWithCost(costShare?: number) {
  const events = allEvents({ runId: 'cost', optimizer: 'sgd', lr: 0.002, steps: 20, curvatureEvery: 10 }).map((e) =>
    e.type === 'curvature'
      ? { ...e, sample: { ...e.sample, sharpness: 50, sharpnessResidual: 0.01, sharpnessLimit: 1000, ...(costShare !== undefined ? { sampleMs: 3, costShare } : {}) } }
      : e);
  return runsFromEvents(events);
}

describe('dashboard: the cost of the diagnostics in the edge card\'s note', () => {
  it('the latest sample\'s share of the run time, in percent with one decimal', () => {
    const [note] = edgeNotes(runWithCost(0.0734), () => 'sgd');
    assert.match(note, /below the edge, λmax = 50 ± 0\.01 vs limit 1000; diagnostics took 7\.3 % of the run so far$/);
  });

  it('nothing said when the runner did not measure it (no preset)', () => {
    const [note] = edgeNotes(runWithCost(), () => 'sgd');
    assert.doesNotMatch(note, /diagnostics took/);
  });
});
