/**
 * Screenshots of the trajectory replay (2-D contour with Adam's state, 1-D curve with the tangent):
 *   npx tsx test/webview/harness/replayScreenshots.ts [outDir]
 * Needs a built media/dashboard.js.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import type { DashboardEvent } from '../../../src/protocol/webview';
import { sinRun, withState } from '../replayEvents';
import { launchChromium } from './browser';
import { landscapeGrid } from './eventStream';
import { startHarness } from './harnessServer';
import { openDashboard, send, settle } from './pageDriver';

async function shoot(page: Page, events: DashboardEvent[], step: number, file: string): Promise<void> {
  await send(page, { type: 'snapshot', version: 0, runs: [], ghosts: [], banner: null });
  await send(page, { type: 'events', events });
  await settle(page);
  await page.locator('input.replay-step').fill(String(step));
  await settle(page);
  await page.locator('section[data-chart="trajectory"]').screenshot({ path: file });
}

export async function replayScreenshots(outDir: string): Promise<string[]> {
  fs.mkdirSync(outDir, { recursive: true });
  const server = await startHarness();
  const browser = await launchChromium();
  const files: string[] = [];
  try {
    for (const theme of ['dark', 'light'] as const) {
      const page = await openDashboard(browser, server, theme, 900);
      const plane = path.join(outDir, `replay-contour-${theme}.png`);
      const runs = [
        ...withState({ runId: 'adam', optimizer: 'adam', lr: 0.05, steps: 300 }),
        ...withState({ runId: 'mom', optimizer: 'momentum', lr: 0.0006, steps: 300 }),
      ];
      runs.splice(1, 0, { type: 'landscape', runId: 'adam', grid: landscapeGrid() });
      await shoot(page, runs, 40, plane);
      const zoomed = path.join(outDir, `replay-zoomed-${theme}.png`);
      const trajectory = page.locator('section[data-chart="trajectory"]');
      for (let i = 0; i < 3; i++) await trajectory.getByRole('button', { name: 'Zoom in' }).click();
      await settle(page);
      await trajectory.screenshot({ path: zoomed });
      await trajectory.getByRole('button', { name: 'reset' }).click();
      files.push(zoomed);
      const curve = path.join(outDir, `replay-curve-${theme}.png`);
      await shoot(page, sinRun('sin', 0.8, 2, 40).events, 3, curve);
      files.push(plane, curve);
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return files;
}

if (require.main === module) {
  replayScreenshots(process.argv[2] ?? '/tmp/optimizer-lab-replay').then((f) => console.log(f.join('\n')), (e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
