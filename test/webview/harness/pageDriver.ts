/** Drives the dashboard page: open, send host messages, read its state. */
import type { Browser, Page } from 'playwright-core';
import type { HostToWebviewInput, WebviewToHost } from '../../../src/protocol/webview';
import type { HarnessServer } from './harnessServer';

export type ChartKind = 'loss' | 'grad' | 'lr' | 'curvature' | 'trajectory';

/** What the page exposes as window.optimizerLab (the Dashboard instance). */
export interface PageDashboard {
  counts(): Record<ChartKind, Record<string, number>>;
  stats: { frames: number[]; rejected: string[]; renders: number };
  chart(kind: ChartKind): { chart: { data: { datasets: { label: string; data: unknown[] }[] }; getDatasetMeta(i: number): { data: unknown[] } } };
  model: { ghosts: unknown[]; runs: Map<string, unknown>; banner: unknown };
}

export interface PageWindow {
  optimizerLab: PageDashboard;
  __posted: WebviewToHost[];
  __consoleErrors: string[];
}

export async function openDashboard(browser: Browser, server: HarnessServer, theme: 'dark' | 'light' = 'dark', width = 1200): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  await page.goto(server.url(theme));
  await waitForReady(page);
  return page;
}

export async function waitForReady(page: Page): Promise<void> {
  await page.waitForFunction(() => (window as unknown as PageWindow).__posted?.some((m) => m.type === 'ready'));
}

export async function send(page: Page, message: HostToWebviewInput | Record<string, unknown>): Promise<void> {
  await page.evaluate((m) => window.postMessage(m, '*'), message);
}

/** Waits until two animation frames have passed and the table throttle (250 ms) has run. */
export async function settle(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((resolve) => setTimeout(() => requestAnimationFrame(() => requestAnimationFrame(() => resolve())), 300)));
}

export function counts(page: Page): Promise<Record<ChartKind, Record<string, number>>> {
  return page.evaluate(() => (window as unknown as PageWindow).optimizerLab.counts());
}

export function posted(page: Page): Promise<WebviewToHost[]> {
  return page.evaluate(() => (window as unknown as PageWindow).__posted);
}

/** Elements Chart.js actually laid out per dataset (after decimation), by label. */
export function drawn(page: Page, kind: ChartKind): Promise<Record<string, number>> {
  return page.evaluate((k) => {
    const c = (window as unknown as PageWindow).optimizerLab.chart(k).chart;
    return Object.fromEntries(c.data.datasets.map((d, i) => [d.label, c.getDatasetMeta(i).data.length]));
  }, kind);
}
