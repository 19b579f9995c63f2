/**
 * The contour | surface choice and the surface's camera survive a reload of the dashboard (the webview
 * state, which the harness keeps in sessionStorage as VS Code keeps getState/setState); a saved state
 * from before these fields, or with nonsense in them, restores the defaults.
 */
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { restoreUiState } from '../../webview/uiState';
import { useDashboardPage } from './harness/dashboardSuite';
import { type PageWindow, send, settle } from './harness/pageDriver';
import { twoRuns } from './harness/surfaceScreenshots';

interface Orbit { yaw: number; pitch: number; distance: number }
type MemoryWindow = PageWindow & { optimizerLab: { landscapes: { surface: { orbit: Orbit; shown: boolean } } } };

describe('3-D surface: kept across reloads', function () {
  const suite = useDashboardPage({ failOnPageErrors: true });
  let page: Page;
  const card = () => page.locator('section[data-chart="trajectory"]');
  const button = (name: 'contour' | 'surface') => card().getByRole('button', { name, exact: true });
  const orbit = () => page.evaluate(() => ({ ...(window as unknown as MemoryWindow).optimizerLab.landscapes.surface.orbit }));
  /** Reloads the page (the webview is recreated) and sends the runs again, as the host does. */
  async function reload(): Promise<void> {
    await page.reload();
    await page.waitForFunction(() => (window as unknown as PageWindow).__posted?.some((m) => m.type === 'ready'));
    await send(page, { type: 'events', events: twoRuns() });
    await settle(page);
  }

  it('the surface and its turned, zoomed camera come back after a reload; the contour after choosing it', async () => {
    page = suite.page;
    await send(page, { type: 'events', events: twoRuns() });
    await settle(page);
    await button('surface').click();
    await settle(page);
    const canvas = card().locator('canvas.surface-canvas');
    const box = await canvas.boundingBox();
    assert.ok(box);
    const [cx, cy] = [box.x + box.width / 2, box.y + box.height / 2];
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    await page.mouse.move(cx + 120, cy + 30, { steps: 4 });
    await page.mouse.up();
    await page.mouse.wheel(0, -200);
    await settle(page);
    const turned = await orbit();
    assert.notDeepEqual(turned, { yaw: -0.6, pitch: 0.6, distance: 4.2 }, 'the camera moved');

    await reload();
    assert.equal(await button('surface').getAttribute('aria-pressed'), 'true');
    assert.equal(await canvas.isVisible(), true, 'the surface is shown, not the contour');
    assert.deepEqual(await orbit(), turned, 'the same camera');
    const chartVisibility = () => card().locator('.plot > canvas').first().evaluate((c) => getComputedStyle(c).visibility);
    assert.equal(await chartVisibility(), 'hidden');

    await button('contour').click();
    await reload();
    assert.equal(await button('contour').getAttribute('aria-pressed'), 'true');
    assert.equal(await canvas.isVisible(), false);
    assert.equal(await chartVisibility(), 'visible');
    assert.deepEqual(await orbit(), turned, 'the camera is kept for the next time the surface is shown');
  });

  it('restoreUiState: the view and a finite camera are read back; older or broken states give the contour and no camera', () => {
    const saved = { ui: { landscapeView: 'surface', orbit: { yaw: 2.5, pitch: 0.9, distance: 3 } } };
    const restored = restoreUiState(JSON.parse(JSON.stringify(saved)));
    assert.equal(restored.landscapeView, 'surface');
    assert.deepEqual(restored.orbit, { yaw: 2.5, pitch: 0.9, distance: 3 });
    assert.equal(restoreUiState({ ui: {} }).landscapeView, 'contour', 'a state saved before the field existed');
    const broken = restoreUiState({ ui: { landscapeView: 'sphere', orbit: { yaw: 'left', pitch: 0.2, distance: 3 } } });
    assert.equal(broken.landscapeView, 'contour');
    assert.equal(broken.orbit, undefined);
  });
});
