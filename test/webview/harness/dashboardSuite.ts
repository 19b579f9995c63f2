import * as assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './browser';
import { type HarnessServer, startHarness } from './harnessServer';
import { openDashboard } from './pageDriver';

export interface DashboardSuite {
  /** The dashboard page of the current test (fresh for each test). */
  readonly page: Page;
}

/**
 * Registers the hooks every headless dashboard suite needs: one harness server
 * and one Chromium per suite, a freshly opened dashboard page per test. With
 * `failOnPageErrors`, a test also fails when the page threw an uncaught error.
 */
export function useDashboardPage(options: { failOnPageErrors?: boolean } = {}): DashboardSuite {
  let server: HarnessServer | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  let pageErrors: string[] = [];

  before(async () => {
    server = await startHarness();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  beforeEach(async () => {
    if (!browser || !server) throw new Error('the harness did not start');
    page = await openDashboard(browser, server);
    pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });
  afterEach(async () => {
    await page?.close();
    if (options.failOnPageErrors) assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
  });

  return {
    get page(): Page {
      if (!page) throw new Error('no dashboard page outside a test');
      return page;
    },
  };
}
