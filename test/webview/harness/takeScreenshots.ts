/**
 * Screenshots of the dashboard for the README (dark, light and high contrast):
 *   npx tsx test/webview/harness/takeScreenshots.ts [outDir]
 * Needs a built media/dashboard.js.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { launchChromium } from './browser';
import { repoRoot, startHarness } from './harnessServer';
import { scenarioSnapshot } from './scenario';

export async function takeScreenshots(outDir: string, width = 1200): Promise<string[]> {
  fs.mkdirSync(outDir, { recursive: true });
  const server = await startHarness();
  const browser = await launchChromium();
  const written: string[] = [];
  try {
    for (const theme of ['dark', 'light', 'high-contrast'] as const) {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      await page.goto(server.url(theme));
      await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
      await page.evaluate((m) => window.postMessage(m, '*'), scenarioSnapshot());
      await page.waitForSelector('table.runs');
      await page.waitForTimeout(300);
      const file = path.join(outDir, `dashboard-${theme}.png`);
      await page.screenshot({ path: file, fullPage: true });
      written.push(file);
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return written;
}

if (require.main === module) {
  const out = process.argv[2] ?? path.join(repoRoot, 'docs/images');
  takeScreenshots(out).then((files) => console.log(files.join('\n')), (e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
