/**
 * Screenshots of the replay on the 3-D surface (Rosenbrock, Adam and momentum with their state, mid-replay):
 *   npx tsx test/webview/harness/surfaceReplayScreenshots.ts [outDir] [step] [wheel notches in]
 * Needs a built media/dashboard.js.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { withState } from '../replayEvents';
import { launchChromium } from './browser';
import { landscapeGrid } from './eventStream';
import { startHarness } from './harnessServer';
import { send, settle, waitForReady } from './pageDriver';

export async function surfaceReplayScreenshots(outDir: string, step: number, zoomNotches = 3): Promise<string[]> {
  fs.mkdirSync(outDir, { recursive: true });
  const server = await startHarness();
  const browser = await launchChromium();
  const files: string[] = [];
  try {
    for (const theme of ['dark', 'light'] as const) {
      const page = await browser.newPage({ viewport: { width: 1000, height: 1000 }, deviceScaleFactor: 2 });
      await page.goto(server.url(theme));
      await waitForReady(page);
      const events = [
        ...withState({ runId: 'mom', optimizer: 'momentum', lr: 0.0006, steps: 300 }),
        ...withState({ runId: 'adam', optimizer: 'adam', lr: 0.05, steps: 300 }),
      ];
      // Momentum first (blue), Adam second (orange, off the surface's blue valleys), as in the surface screenshots.
      events.splice(1, 0, { type: 'landscape', runId: 'mom', grid: landscapeGrid() });
      await send(page, { type: 'events', events });
      await settle(page);
      const card = page.locator('section[data-chart="trajectory"]');
      await card.getByRole('button', { name: 'surface', exact: true }).click();
      await card.locator('input.replay-step').fill(String(step));
      // Closer than the default camera, so the arrows at the iterate read at README size.
      const canvas = card.locator('canvas.surface-canvas');
      await canvas.hover();
      for (let i = 0; i < zoomNotches; i++) await page.mouse.wheel(0, -100);
      await settle(page);
      const file = path.join(outDir, `surface-replay-${theme}.png`);
      await card.screenshot({ path: file });
      files.push(file);
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return files;
}

if (require.main === module) {
  surfaceReplayScreenshots(process.argv[2] ?? '/tmp/optimizer-lab-surface-replay', Number(process.argv[3] ?? 12), Number(process.argv[4] ?? 3)).then((f) => console.log(f.join('\n')), (e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
