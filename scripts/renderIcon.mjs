// npm run icon: renders assets/icon.svg (the source) to assets/icon.png, the 128×128 PNG the
// Marketplace and VS Code show (they take no SVG icon). Debian's Chromium through playwright-core,
// as the webview tests run it (scripts/ensure-chromium.sh installs it).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const SIZE = 128;
const svg = fs.readFileSync(path.join(root, 'assets/icon.svg'), 'utf8');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: SIZE, height: SIZE }, deviceScaleFactor: 1 });
  await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
  const png = await page.locator('svg').screenshot({ omitBackground: true });
  fs.writeFileSync(path.join(root, 'assets/icon.png'), png);
  console.log(`assets/icon.png (${png.length} bytes)`);
} finally {
  await browser.close();
}
