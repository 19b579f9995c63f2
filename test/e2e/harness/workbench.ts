import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const repoRoot = path.resolve(__dirname, '../../..');
export const artifactsDir = path.join(repoRoot, '.artifacts/e2e');

// Debian's Chromium: Playwright's own browser download does not work offline.
const chromiumPath = process.env.OPTLAB_CHROMIUM ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Opens the workbench at `url` in a fresh context and waits until it is usable. */
export async function openWorkbench(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  // The status bar is filled once the workbench has restored its parts.
  await page.locator('#workbench\\.parts\\.statusbar').waitFor({ timeout: 60_000 });
  return page;
}

/** Runs a command by its palette label, typed as a person would. */
export async function runCommand(page: Page, label: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${label}`);
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: label }).first();
  await row.waitFor({ state: 'visible' });
  await input.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

/**
 * Opens a workspace file (its tab when open, else Quick Open) and waits until its tab is the active one: a tab
 * that exists is not proof the file came to the front. Up to three tries.
 */
export async function openFile(page: Page, relativePath: string): Promise<void> {
  const name = path.basename(relativePath);
  const input = page.locator('.quick-input-widget .quick-input-box input');
  const tab = page.locator(`.tab[data-resource-name="${name}"]`).first();
  for (let attempt = 1; ; attempt += 1) {
    try {
      // An open file is brought to the front by its tab, as a person does: a focused widget such as the
      // Settings editor's search box keeps Ctrl+P (seen in CI), and Escape would clear what it holds.
      if (await tab.isVisible()) await tab.click();
      else {
        await page.keyboard.press('Control+P');
        await input.waitFor({ state: 'visible', timeout: 10_000 });
        await input.fill(relativePath);
        await page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 10_000 });
        await input.press('Enter');
      }
      await page.locator(`.tab.active[data-resource-name="${name}"]`).first().waitFor({ timeout: 10_000 });
      return;
    } catch (e) {
      if (attempt === 3) throw e;
      if (await input.isVisible()) await page.keyboard.press('Escape');
    }
  }
}

/** Saves a full-page PNG under .artifacts/e2e/ and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(artifactsDir, { recursive: true });
  const file = path.join(artifactsDir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
