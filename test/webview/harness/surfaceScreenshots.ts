/**
 * Screenshots of the 3-D surface (Rosenbrock contour with two runs, in dark, light and high contrast):
 *   npx tsx test/webview/harness/surfaceScreenshots.ts [outDir]
 * Needs a built media/dashboard.js.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DashboardEvent } from '../../../src/protocol/webview';
import { launchChromium } from './browser';
import { allEvents, landscapeGrid } from './eventStream';
import { startHarness } from './harnessServer';
import { send, settle, waitForReady } from './pageDriver';

/** Two Rosenbrock runs with the contour's grid: momentum, then Adam (drawn over it where their paths share the valley). */
export function twoRuns(): DashboardEvent[] {
  const events = [
    ...allEvents({ runId: 'mom', optimizer: 'momentum', lr: 0.0006, steps: 300 }),
    ...allEvents({ runId: 'adam', optimizer: 'adam', lr: 0.05, steps: 300 }),
  ];
  events.splice(1, 0, { type: 'landscape', runId: 'mom', grid: landscapeGrid() });
  return events;
}

export async function surfaceScreenshots(outDir: string): Promise<string[]> {
  fs.mkdirSync(outDir, { recursive: true });
  const server = await startHarness();
  const browser = await launchChromium();
  const files: string[] = [];
  try {
    for (const theme of ['dark', 'light', 'high-contrast'] as const) {
      const page = await browser.newPage({ viewport: { width: 900, height: 900 } });
      await page.goto(server.url(theme));
      await waitForReady(page);
      await send(page, { type: 'events', events: twoRuns() });
      await settle(page);
      const card = page.locator('section[data-chart="trajectory"]');
      await card.getByRole('button', { name: 'surface', exact: true }).click();
      await settle(page);
      const file = path.join(outDir, `surface-${theme}.png`);
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
  surfaceScreenshots(process.argv[2] ?? '/tmp/optimizer-lab-surface').then((f) => console.log(f.join('\n')), (e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
