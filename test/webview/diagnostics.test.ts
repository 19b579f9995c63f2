/** The edge-of-stability and spectral-density cards (issue 21): pure parts, then the page. */
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { edgeOfStabilityState } from '../../src/protocol/diagnostics';
import { runsFromEvents } from '../../src/protocol/runHistory';
import type { DashboardEvent } from '../../src/protocol/webview';
import { fromSymlog, smoothed, toSymlog } from '../../webview/spectrumChart';
import { useDashboardPage } from './harness/dashboardSuite';
import { allEvents } from './harness/eventStream';
import { send, settle } from './harness/pageDriver';

/** A run's events with each curvature sample given a sharpness near its limit and a density of eigenvalues 1…5 (trace 15). */
function withDiagnostics(runId: string, sharpness: (step: number) => number): DashboardEvent[] {
  return allEvents({ runId, optimizer: 'adam', lr: 0.02, steps: 40, curvatureEvery: 10 }).map((e) =>
    e.type === 'curvature'
      ? {
          ...e,
          sample: {
            ...e.sample, sharpness: sharpness(e.sample.step), sharpnessResidual: 0.01, sharpnessLimit: 100,
            trace: 15, traceStdErr: 0.5, traceProbes: 8, traceMethod: 'hutchinson' as const,
            density: { nodes: [-2, 1, 2, 3, 4, 5], weights: [0.1, 0.2, 0.2, 0.2, 0.2, 0.1] },
            blocks: [{ name: 'w1', size: 16, lambdaMax: 7, residual: 0.001, converged: true, trace: 12, traceStdErr: 0.4 }],
          },
        }
      : e,
  );
}

describe('dashboard: edge of stability and spectral density', function () {
  it('a sample is at the edge within 10% of its limit (residual included), past it beyond, below under it; no limit, no state', () => {
    assert.equal(edgeOfStabilityState({ sharpness: 95, sharpnessResidual: 0, sharpnessLimit: 100 }), 'at');
    assert.equal(edgeOfStabilityState({ sharpness: 105, sharpnessResidual: 0, sharpnessLimit: 100 }), 'at');
    assert.equal(edgeOfStabilityState({ sharpness: 85, sharpnessResidual: 6, sharpnessLimit: 100 }), 'at');
    assert.equal(edgeOfStabilityState({ sharpness: 85, sharpnessResidual: 1, sharpnessLimit: 100 }), 'below');
    assert.equal(edgeOfStabilityState({ sharpness: 120, sharpnessResidual: 1, sharpnessLimit: 100 }), 'past');
    assert.equal(edgeOfStabilityState({ sharpness: 120, sharpnessLimit: null }), undefined);
  });

  it('the symmetric-log axis inverts, and the smoothed density has area 1 (trapezoid rule)', () => {
    for (const x of [-300, -1, -1e-4, 0, 2e-3, 7, 1e5]) assert.ok(Math.abs(fromSymlog(toSymlog(x, 0.01), 0.01) - x) <= 1e-9 * Math.max(1, Math.abs(x)));
    const points = smoothed([-1, 0.2, 2, 2.5], [0.1, 0.4, 0.3, 0.2]);
    let area = 0;
    for (let i = 1; i < points.length; i++) area += ((points[i].y + points[i - 1].y) / 2) * (points[i].x - points[i - 1].x);
    assert.ok(Math.abs(area - 1) < 1e-3, `area ${area}`);
  });

  describe('in headless Chromium', () => {
    const suite = useDashboardPage({ failOnPageErrors: true });
    let page: Page;
    beforeEach(() => {
      page = suite.page;
    });

    it('draws both cards with their notes: the run at the edge, the trace with its error', async () => {
      const runs = runsFromEvents(withDiagnostics('eos', (step) => 60 + step));
      await send(page, { type: 'snapshot', version: 0, runs, ghosts: [], banner: null });
      await settle(page);
      const edge = page.locator('section[data-chart="edge"]');
      const spectrum = page.locator('section[data-chart="spectrum"]');
      assert.equal(await edge.isVisible(), true);
      assert.match(await edge.locator('.note').innerText(), /at the edge of stability, λmax = 100 ± 0\.01 vs limit 100/);
      assert.equal(await spectrum.isVisible(), true);
      assert.match(await spectrum.locator('.note').innerText(), /tr\(H\) = 15 ± 0\.5, Hutchinson and Lanczos quadrature over 8 probes/);
      assert.match(await spectrum.locator('.note').innerText(), /per tensor at step 40: w1 λmax 7 ± 0\.001, tr 12 ± 0\.4/);
    });

    it('hides both cards for runs without such samples', async () => {
      const runs = runsFromEvents(allEvents({ runId: 'plain', optimizer: 'adam', lr: 0.02, steps: 20, curvatureEvery: 10 }));
      await send(page, { type: 'snapshot', version: 0, runs, ghosts: [], banner: null });
      await settle(page);
      assert.equal(await page.locator('section[data-chart="edge"]').isVisible(), false);
      assert.equal(await page.locator('section[data-chart="spectrum"]').isVisible(), false);
    });
  });
});
