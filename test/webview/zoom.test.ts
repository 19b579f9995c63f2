import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { useDashboardPage } from './harness/dashboardSuite';
import { allEvents, landscapeGrid } from './harness/eventStream';
import { type PageWindow, send, settle } from './harness/pageDriver';

type Scales = { x: { min: number; max: number; left: number; right: number }; y: { min: number; max: number; top: number; bottom: number } };
const close = (a: number, b: number) => Math.abs(a - b) < 1e-9 * Math.max(1, Math.abs(b));

describe('zoom and pan', function () {
  const suite = useDashboardPage({ failOnPageErrors: true });
  let page: Page;
  const card = (k: string) => page.locator(`section[data-chart="${k}"]`);
  const scales = (k: string) => page.evaluate((kind) => {
    const s = ((window as unknown as PageWindow).optimizerLab.chart(kind as 'loss').chart as unknown as { scales: Scales }).scales;
    return { x: { min: s.x.min, max: s.x.max, left: s.x.left, right: s.x.right }, y: { min: s.y.min, max: s.y.max, top: s.y.top, bottom: s.y.bottom } };
  }, k);

  beforeEach(async () => {
    page = suite.page;
    await send(page, { type: 'snapshot', version: 0, runs: [], ghosts: [], banner: null });
    const events = allEvents({ runId: 'a', optimizer: 'adam', lr: 0.02, steps: 300 });
    events.splice(1, 0, { type: 'landscape', runId: 'a', grid: landscapeGrid() });
    await send(page, { type: 'events', events });
    await settle(page);
  });

  it('the contour zooms in around its centre with "+", keeps the window across a rebuild, and "reset" restores the domain', async () => {
    const before = await scales('trajectory');
    assert.deepEqual([before.x.min, before.x.max, before.y.min, before.y.max], [-2, 2, -1, 3], 'Rosenbrock\'s domain');
    await card('trajectory').getByRole('button', { name: 'Zoom in' }).click();
    const z = await scales('trajectory');
    // The centre of the plot area stays; each half-width shrinks by 1.25.
    const cx = (before.x.min + before.x.max) / 2, cy = (before.y.min + before.y.max) / 2;
    assert.ok(close(z.x.min, cx - 2 / 1.25) && close(z.x.max, cx + 2 / 1.25), `${z.x.min} … ${z.x.max}`);
    assert.ok(close(z.y.min, cy - 2 / 1.25) && close(z.y.max, cy + 2 / 1.25), `${z.y.min} … ${z.y.max}`);
    // A second run rebuilds every chart's options: the window stays.
    await send(page, { type: 'events', events: allEvents({ runId: 'b', optimizer: 'sgd', lr: 0.001, steps: 50 }) });
    await settle(page);
    const kept = await scales('trajectory');
    assert.deepEqual([kept.x.min, kept.x.max], [z.x.min, z.x.max]);
    await card('trajectory').getByRole('button', { name: 'reset' }).click();
    const back = await scales('trajectory');
    assert.deepEqual([back.x.min, back.x.max, back.y.min, back.y.max], [-2, 2, -1, 3]);
    assert.equal(await card('trajectory').locator('.zoom-reset').isHidden(), true);
  });

  it('dragging pans the contour by the distance dragged', async () => {
    const s = await scales('trajectory');
    const box = await card('trajectory').locator('canvas').boundingBox();
    assert.ok(box);
    const [px, py] = [box.x + (s.x.left + s.x.right) / 2, box.y + (s.y.top + s.y.bottom) / 2];
    await page.mouse.move(px, py);
    await page.mouse.down();
    await page.mouse.move(px - 40, py, { steps: 4 });
    await page.mouse.move(px - 80, py + 30, { steps: 4 });
    await page.mouse.up();
    const p = await scales('trajectory');
    const perPxX = (s.x.max - s.x.min) / (s.x.right - s.x.left);
    const perPxY = (s.y.max - s.y.min) / (s.y.bottom - s.y.top);
    // Within a few pixels: the axis labels' width (and so the plot's) changes with the numbers shown.
    assert.ok(Math.abs((p.x.min - s.x.min) / perPxX - 80) < 6, `x from ${s.x.min} to ${p.x.min}: ${(p.x.min - s.x.min) / perPxX} px`);
    assert.ok(Math.abs((p.y.min - s.y.min) / perPxY - 30) < 6, `y from ${s.y.min} to ${p.y.min}: ${(p.y.min - s.y.min) / perPxY} px`);
    assert.ok(close(p.x.max - p.x.min, s.x.max - s.x.min), 'a pan keeps the width');
  });

  it('Ctrl + wheel zooms the loss chart around the pointer (log axis: the pointer\'s value stays put); a plain wheel scrolls the page', async () => {
    const s = await scales('loss');
    const box = await card('loss').locator('canvas').boundingBox();
    assert.ok(box);
    await page.mouse.move(box.x + (s.x.left + s.x.right) / 2, box.y + (s.y.top + s.y.bottom) / 2);
    await page.mouse.wheel(0, 100);
    assert.deepEqual(await scales('loss'), s, 'no zoom without Ctrl');
    await page.keyboard.down('Control');
    await page.mouse.wheel(0, -100);
    await page.keyboard.up('Control');
    await settle(page);
    const z = await scales('loss');
    assert.ok(z.x.max - z.x.min < s.x.max - s.x.min, 'narrower in steps');
    const decades = (a: { min: number; max: number }) => Math.log10(a.max) - Math.log10(a.min);
    assert.ok(close(decades(z.y), decades(s.y) / 1.25), `${decades(z.y)} decades vs ${decades(s.y)}`);
  });
});
