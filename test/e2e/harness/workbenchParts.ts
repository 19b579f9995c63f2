import type { FrameLocator, Page } from 'playwright-core';

/** Answers VS Code's "Do you trust the authors…" dialog shown when a folder opens. */
export async function answerTrustPrompt(page: Page, trust: boolean): Promise<void> {
  const label = trust ? 'Yes, I trust the authors' : "No, I don't trust the authors";
  const dialog = page.locator('.monaco-dialog-box', { hasText: 'Do you trust the authors' });
  await dialog.waitFor({ timeout: 30_000 });
  await dialog.getByRole('button', { name: label }).click();
  await dialog.waitFor({ state: 'hidden' });
}

export async function statusBarText(page: Page): Promise<string> {
  return page.locator('#workbench\\.parts\\.statusbar').innerText();
}

/** Opens the Problems panel and returns the text of each row (files and markers). */
export async function readProblems(page: Page): Promise<string[]> {
  await page.keyboard.press('Control+Shift+M');
  const rows = page.locator('.markers-panel .monaco-list-row');
  await rows.first().waitFor();
  return rows.allInnerTexts();
}

/**
 * The content of the active webview: the workbench hosts it in an outer iframe,
 * which loads the extension's HTML into its own inner `#active-frame`.
 */
export function webviewFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}
