/**
 * The 3-D surface in headless Chromium (WebGL through SwiftShader): it draws in the light, dark and
 * high-contrast themes (read back: the theme's background, a shaded surface, the runs' path colours),
 * a drag and the wheel change the picture, the replay moves its marker, and without WebGL the card
 * says so instead of showing a blank.
 */
import * as assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { DashboardEvent } from '../../src/protocol/webview';
import { launchChromium } from './harness/browser';
import { type HarnessServer, startHarness } from './harness/harnessServer';
import { send, settle, waitForReady } from './harness/pageDriver';
import { twoRuns } from './harness/surfaceScreenshots';
import { themeVariables } from './harness/themes';

type ThemeName = 'dark' | 'light' | 'high-contrast';
interface Picture { width: number; height: number; corner: number[]; nonBackground: number; near: Record<string, number>; signature: number[] }
interface SurfaceProbe { canvas: HTMLCanvasElement; draw(): void; orbit: { yaw: number; distance: number }; stats: { draws: number } }

const hexRgb = (hex: string): number[] => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

/** The surface canvas read back: its corner, how many pixels are not the background, how many are near each colour. */
function picture(page: Page, colours: Record<string, number[]>, redraw = true): Promise<Picture> {
  return page.evaluate(([wanted, now]) => {
    const s = (window as unknown as { optimizerLab: { landscapes: { surface: SurfaceProbe } } }).optimizerLab.landscapes.surface;
    if (now) s.draw();
    const c = s.canvas;
    const copy = document.createElement('canvas');
    [copy.width, copy.height] = [c.width, c.height];
    const ctx = copy.getContext('2d');
    if (!ctx) throw new Error('no 2-D context');
    ctx.drawImage(c, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    const corner = [d[0], d[1], d[2]];
    const near = Object.fromEntries(Object.keys(wanted).map((k) => [k, 0]));
    let nonBackground = 0;
    const signature: number[] = [];
    for (let i = 0; i < d.length; i += 4) {
      if (Math.max(Math.abs(d[i] - corner[0]), Math.abs(d[i + 1] - corner[1]), Math.abs(d[i + 2] - corner[2])) > 24) nonBackground++;
      for (const [k, [r, g, b]] of Object.entries(wanted)) if (Math.abs(d[i] - r) <= 10 && Math.abs(d[i + 1] - g) <= 10 && Math.abs(d[i + 2] - b) <= 10) near[k]++;
      if ((i / 4) % 97 === 0) signature.push(d[i] + 256 * d[i + 1] + 65536 * d[i + 2]);
    }
    return { width: c.width, height: c.height, corner, nonBackground, near, signature };
  }, [colours, redraw] as const);
}

const differing = (a: number[], b: number[]) => a.filter((v, i) => v !== b[i]).length / a.length;

describe('3-D surface (WebGL)', function () {
  let server: HarnessServer;
  let browser: Browser;
  before(async () => {
    server = await startHarness();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(theme: ThemeName, events: DashboardEvent[], init?: () => void): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 900, height: 900 } });
    if (init) await page.addInitScript(init);
    await page.goto(server.url(theme));
    await waitForReady(page);
    await send(page, { type: 'events', events });
    await settle(page);
    return page;
  }
  const card = (page: Page) => page.locator('section[data-chart="trajectory"]');
  const toSurface = async (page: Page) => {
    await card(page).getByRole('button', { name: 'surface', exact: true }).click();
    await settle(page);
  };

  for (const theme of ['light', 'dark', 'high-contrast'] as const) {
    it(`draws the surface and both runs' paths in the ${theme} theme`, async () => {
      const vars = themeVariables(theme);
      const page = await open(theme, twoRuns());
      try {
        assert.equal(await card(page).locator('canvas.surface-canvas').isVisible(), false, 'contour first');
        await toSurface(page);
        assert.equal(await card(page).locator('canvas.surface-canvas').isVisible(), true);
        assert.equal(await card(page).getByRole('button', { name: 'surface', exact: true }).getAttribute('aria-pressed'), 'true');
        assert.match(await card(page).locator('.caption').innerText(), /3-D: height log\(loss − min \+ ε\), ε = 1 % of the loss.s range .* lines at the contour.s levels/);
        // Runs take the palette in order: momentum the first colour (blue), Adam the second (orange).
        const pic = await picture(page, { momentum: hexRgb(vars['--vscode-charts-blue']), adam: hexRgb(vars['--vscode-charts-orange']) });
        assert.deepEqual(pic.corner, hexRgb(vars['--vscode-editor-background']), "cleared to the theme's background");
        const share = pic.nonBackground / (pic.width * pic.height);
        // Measured: 29 % of the canvas is surface, box and paths in each theme (the rest is background).
        assert.ok(share > 0.15 && share < 0.9, `surface covers ${(100 * share).toFixed(1)} % of the canvas`);
        // Measured 195-304 pixels of each run's colour; its replay marker (a 10-pixel disc) alone is ~80: these are the paths.
        assert.ok(pic.near.momentum > 150, `momentum's blue: ${pic.near.momentum} pixels`);
        assert.ok(pic.near.adam > 150, `adam's orange: ${pic.near.adam} pixels`);
      } finally {
        await page.close();
      }
    });
  }

  it('dragging rotates and the wheel zooms: the picture changes; double-click resets', async () => {
    const page = await open('dark', twoRuns());
    try {
      await toSurface(page);
      const orbit = () => page.evaluate(() => ({ ...(window as unknown as { optimizerLab: { landscapes: { surface: SurfaceProbe } } }).optimizerLab.landscapes.surface.orbit }));
      const before = await picture(page, {});
      const start = await orbit();
      const canvas = card(page).locator('canvas.surface-canvas');
      await canvas.scrollIntoViewIfNeeded();
      const box = await canvas.boundingBox();
      assert.ok(box);
      const [cx, cy] = [box.x + box.width / 2, box.y + box.height / 2];
      await page.mouse.move(cx, cy);
      await page.mouse.down();
      await page.mouse.move(cx + 150, cy + 20, { steps: 5 });
      await page.mouse.up();
      await settle(page);
      const turned = await picture(page, {});
      assert.notEqual((await orbit()).yaw, start.yaw);
      assert.ok(differing(before.signature, turned.signature) > 0.1, `${(100 * differing(before.signature, turned.signature)).toFixed(0)} % of sampled pixels changed`);
      await page.mouse.wheel(0, -300);
      await settle(page);
      assert.ok((await orbit()).distance < start.distance, 'wheel up zooms in');
      assert.ok(differing(turned.signature, (await picture(page, {})).signature) > 0.1);
      await page.mouse.dblclick(cx, cy);
      await settle(page);
      assert.deepEqual(await orbit(), start);
      assert.deepEqual((await picture(page, {})).signature, before.signature, 'reset draws the first picture again');
    } finally {
      await page.close();
    }
  });

  it('the replay moves a marker on the surface; contour brings the 2-D chart back', async () => {
    const page = await open('dark', twoRuns());
    try {
      await toSurface(page);
      const end = await picture(page, {});
      await card(page).locator('input.replay-step').fill('0');
      await settle(page);
      const start = await picture(page, {});
      const changed = differing(end.signature, start.signature);
      assert.ok(changed > 0 && changed < 0.05, `only the markers moved: ${(100 * changed).toFixed(2)} % of sampled pixels`);
      await card(page).getByRole('button', { name: 'contour', exact: true }).click();
      await settle(page);
      assert.equal(await card(page).locator('canvas.surface-canvas').isVisible(), false);
      assert.equal(await card(page).locator('.plot > canvas').first().evaluate((c) => getComputedStyle(c).visibility), 'visible');
    } finally {
      await page.close();
    }
  });

  it("follows a live run: the path grows on the surface as its records arrive", async () => {
    const events = twoRuns();
    const momentum = events.filter((e) => e.runId === 'mom');
    const half = Math.ceil(momentum.length / 2);
    const page = await open('dark', momentum.slice(0, half));
    try {
      await toSurface(page);
      const blue = { momentum: hexRgb(themeVariables('dark')['--vscode-charts-blue']) };
      const early = await picture(page, blue);
      await send(page, { type: 'events', events: momentum.slice(half) });
      await settle(page);
      // Not redrawn here: what the page drew by itself when the records arrived.
      const late = await picture(page, blue, false);
      assert.ok(late.near.momentum > early.near.momentum, `path pixels ${early.near.momentum} -> ${late.near.momentum}`);
    } finally {
      await page.close();
    }
  });

  it("the card's PNG button saves the surface while it is shown, the contour otherwise", async () => {
    const page = await open('dark', twoRuns());
    const saved = () => page.evaluate(() => (window as unknown as { __posted: { type: string; suggestedName?: string; content?: string }[] }).__posted
      .filter((m) => m.type === 'exportFile').map((m) => [m.suggestedName, m.content?.slice(0, 22)]));
    try {
      await toSurface(page);
      await card(page).locator('button[data-png]').click();
      await card(page).getByRole('button', { name: 'contour', exact: true }).click();
      await card(page).locator('button[data-png]').click();
      assert.deepEqual(await saved(), [
        ['optimizer-lab-trajectory-surface.png', 'data:image/png;base64,'],
        ['optimizer-lab-trajectory.png', 'data:image/png;base64,'],
      ]);
    } finally {
      await page.close();
    }
  });

  it('without WebGL the card says why instead of a blank', async () => {
    const page = await open('dark', twoRuns(), () => {
      const original = HTMLCanvasElement.prototype.getContext;
      HTMLCanvasElement.prototype.getContext = function (this: HTMLCanvasElement, id: string, ...rest: unknown[]) {
        return /webgl/.test(id) ? null : (original as (this: HTMLCanvasElement, ...a: unknown[]) => RenderingContext | null).call(this, id, ...rest);
      } as typeof original;
    });
    try {
      await toSurface(page);
      const fallback = card(page).locator('.surface-fallback');
      assert.equal(await fallback.isVisible(), true);
      assert.match(await fallback.innerText(), /needs WebGL.*contour view shows the same landscape/s);
      assert.equal(await card(page).locator('canvas.surface-canvas').isVisible(), false);
    } finally {
      await page.close();
    }
  });
});
