/** The gradient-noise card (issue 21): B_simple with its error band and the batch size, at curvature samples, in headless Chromium. */
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { runsFromEvents } from '../../src/protocol/runHistory';
import type { DrawnChart } from '../../webview/stepDiagnosticsCards';
import { useDashboardPage } from './harness/dashboardSuite';
import { allEvents } from './harness/eventStream';
import { send, settle } from './harness/pageDriver';

/** B_simple at a sample's step, by formula; the sample at step 20 does not resolve |g|² (null). */
const scaleAt = (step: number) => (step === 20 ? null : 40 + 2 * step);
const errAt = (step: number) => 3 + step / 10;
const BATCH = 8;

function noisyRuns() {
  const events = allEvents({ runId: 'noisy', optimizer: 'sgd', lr: 0.002, steps: 40, curvatureEvery: 10 }).map((e) => {
    if (e.type !== 'curvature') return e;
    const scale = scaleAt(e.sample.step);
    const gradientNoise = {
      noiseScale: scale, noiseScaleStdErr: scale === null ? null : errAt(e.sample.step),
      snr: scale === null ? null : BATCH / scale, snrStdErr: scale === null ? null : 0.01,
      traceCovariance: 1, gradNormSq: 0.1, batches: 16, batchSize: BATCH,
    };
    return { ...e, sample: { ...e.sample, gradientNoise } };
  });
  return runsFromEvents(events);
}

const drawnNoise = (page: Page) =>
  page.evaluate(() => (window as unknown as { optimizerLabStepDiagnostics: { drawn(): { noise: DrawnChart } } }).optimizerLabStepDiagnostics.drawn().noise);

describe('dashboard: the gradient-noise card', function () {
  const suite = useDashboardPage({ failOnPageErrors: true });

  it('draws B_simple, its standard-error band and the batch size at every sample; an unresolved sample is a gap; the note gives the errors', async () => {
    const page = suite.page;
    const runs = noisyRuns();
    await send(page, { type: 'snapshot', version: 0, runs, ghosts: [], banner: null });
    await settle(page);
    assert.equal(await page.locator('section[data-chart="noise"]').isVisible(), true);
    const noise = await drawnNoise(page);
    const byLabel = (prefix: string) => {
      const found = noise.datasets.find((d) => d.label.startsWith(prefix) && (prefix.includes('error') || !d.label.includes('error')));
      assert.ok(found, `has '${prefix}' (has ${noise.datasets.map((d) => d.label).join(', ')})`);
      return found.data;
    };
    const steps = runs[0].curvature.map((c) => c.step);
    assert.deepEqual(steps, [0, 10, 20, 30, 40]);
    const check = (prefix: string, want: (step: number) => number) => {
      const data = byLabel(prefix);
      assert.deepEqual(data.map((p) => p.x), steps, `${prefix}: a point per sample`);
      data.forEach((p) => {
        const w = want(p.x);
        assert.ok(Number.isNaN(w) ? Number.isNaN(p.y) : Math.abs(p.y - w) < 1e-12, `${prefix} at ${p.x}: ${p.y} vs ${w}`);
      });
    };
    const scale = (s: number) => scaleAt(s) ?? NaN;
    check('B_simple − std. error', (s) => scale(s) - errAt(s));
    check('B_simple + std. error', (s) => scale(s) + errAt(s));
    check('B_simple ', scale);
    check('batch size', () => BATCH);
    const note = await page.locator('section[data-chart="noise"] .note').innerText();
    assert.match(note, /at step 40: B_simple = 120 ± 7, SNR at B = 8: 0\.06667 ± 0\.01 \(jackknife over 16 batches of 8\)/);
  });

  it('stays hidden for runs without gradient-noise samples', async () => {
    const page = suite.page;
    await send(page, { type: 'snapshot', version: 0, runs: runsFromEvents(allEvents({ runId: 'plain', optimizer: 'sgd', lr: 0.05, steps: 20, curvatureEvery: 10 })), ghosts: [], banner: null });
    await settle(page);
    assert.equal(await page.locator('section[data-chart="noise"]').isVisible(), false);
  });
});
