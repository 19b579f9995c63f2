import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { runsFromEvents } from '../../src/protocol/runHistory';
import { type DashboardEvent, type WebviewToHost, webviewToHostSchema } from '../../src/protocol/webview';
import { renderReport } from '../../src/report/renderReport';
import { launchChromium } from './harness/browser';
import { builtIns } from './harness/catalogue';
import { useDashboardPage } from './harness/dashboardSuite';
import { allEvents } from './harness/eventStream';
import { mediaDir } from './harness/harnessServer';
import { counts, drawn, type PageWindow, posted, send, settle } from './harness/pageDriver';
import { ghostPlan, scenarioEvents, scenarioRuns, scenarioSnapshot } from './harness/scenario';

describe('dashboard webview in headless Chromium', function () {
  const suite = useDashboardPage({ failOnPageErrors: true });
  let page: Page;
  beforeEach(() => {
    assert.ok(fs.existsSync(path.join(mediaDir, 'dashboard.js')), 'media/dashboard.js missing: run npm run build');
    page = suite.page;
  });

  it('says ready first, then draws every record of a snapshot on each chart', async () => {
    assert.deepEqual((await posted(page))[0], { type: 'ready' });
    await send(page, scenarioSnapshot());
    await settle(page);
    const c = await counts(page);
    for (const run of scenarioRuns()) {
      const id = run.runId;
      const finiteLoss = run.steps.filter((s) => Number.isFinite(s.loss) && s.loss > 0).length;
      assert.equal(c.loss[`${id}:loss`], finiteLoss, `${id} loss points`);
      assert.equal(c.grad[`${id}:grad`], run.steps.filter((s) => s.gradNorm > 0 && Number.isFinite(s.gradNorm)).length, `${id} grad points`);
      assert.equal(c.lr[`${id}:lr`], run.steps.length, `${id} lr points`);
      assert.equal(c.lr[`${id}:preview`], run.meta?.schedulePreview.filter((v) => v > 0).length, `${id} schedule preview`);
      assert.equal(c.curvature[`${id}:lmax`], run.curvature.length, `${id} curvature samples`);
      // The path: the initial point, one per step, and the final point.
      assert.equal(c.trajectory[`${id}:path`], run.steps.length + 2, `${id} path points`);
    }
    assert.ok(scenarioRuns().find((r) => r.runId === 'adam')!.curvature.length > 30, 'the scenario has curvature samples');
    // Chart.js laid out points (decimated to at most a few hundred per line).
    const laidOut = await drawn(page, 'loss');
    const adam = Object.entries(laidOut).find(([label]) => label.startsWith('adam lr=0.02'));
    assert.ok(adam && adam[1] > 100 && adam[1] <= 2000, `adam line drawn with ${adam?.[1]} points`);
    const rows = await page.locator('table.runs tbody tr').count();
    assert.equal(rows, scenarioRuns().length + 1, 'one row per run plus the ghost');
    await page.getByText('diverged at step', { exact: false }).waitFor();
  });

  it('appends streamed event batches without losing points (decimation keeps the full arrays)', async () => {
    await send(page, { type: 'snapshot', version: 0, runs: [], ghosts: [], banner: null });
    const events = allEvents({ runId: 'long', optimizer: 'adam', lr: 0.01, steps: 6000, batch: 50, curvatureEvery: 500 });
    for (let i = 0; i < events.length; i += 10) await send(page, { type: 'events', events: events.slice(i, i + 10) });
    await settle(page);
    const c = await counts(page);
    assert.equal(c.loss['long:loss'], 6000);
    assert.equal(c.grad['long:update'], 6000);
    assert.equal(c.curvature['long:lmax'], 13);
    const laidOut = Object.values(await drawn(page, 'loss'))[0];
    assert.ok(laidOut < 6000, `decimated to ${laidOut} points`);
  });

  it('turns the current runs into faded ghosts on a new code version', async () => {
    await send(page, { type: 'snapshot', version: 0, runs: [], ghosts: [], banner: null });
    await send(page, { type: 'events', events: allEvents(ghostPlan) });
    await settle(page);
    assert.ok(!Object.keys((await counts(page)).loss).some((k) => k.endsWith(':ghost')));
    await send(page, { type: 'liveVersion', version: 1 });
    await send(page, { type: 'events', events: allEvents({ runId: 'v1', optimizer: 'adam', lr: 0.02, steps: 500 }) });
    await settle(page);
    const c = await counts(page);
    assert.equal(c.loss['adam-v0:loss:ghost'], 2000, 'ghost keeps all its points');
    assert.equal(c.loss['v1:loss'], 500);
    const ghostColour = await page.evaluate(() => {
      const ds = (window as unknown as PageWindow).optimizerLab.chart('loss').chart.data.datasets as unknown as { label: string; borderColor: string; borderDash: number[] }[];
      return ds.find((d) => d.label.includes('previous version'));
    });
    assert.ok(ghostColour && /rgba\(.*0\.35\)/.test(ghostColour.borderColor) && ghostColour.borderDash.length > 0, 'ghost is faded and dashed');
    assert.equal(await page.locator('tr.ghost-row').count(), 1);
  });

  it('shows an error banner with file:line and clears it', async () => {
    await send(page, scenarioSnapshot());
    await send(page, { type: 'banner', banner: { severity: 'error', message: "Expected ';' but found 'x'", file: 'rosenbrock.ts', line: 7, column: 12 } });
    const banner = page.locator('.banner');
    await banner.waitFor({ state: 'visible' });
    assert.match(await banner.innerText(), /rosenbrock\.ts:7:12.*Expected ';'/s);
    assert.equal(await banner.getAttribute('role'), 'alert');
    await send(page, { type: 'banner', banner: null });
    await banner.waitFor({ state: 'hidden' });
    // A run error shows too, and a new version clears it.
    await send(page, { type: 'events', events: [{ type: 'error', runId: 'adam', error: { kind: 'threw', message: 'boom', file: 'rosenbrock.ts', line: 3 } }] });
    await banner.waitFor({ state: 'visible' });
    await page.getByText('error: boom').waitFor();
    await send(page, { type: 'liveVersion', version: 3 });
    await banner.waitFor({ state: 'hidden' });
  });

  it('exports PNG, CSV and JSON and copies the CLI command and torch snippet', async () => {
    await send(page, scenarioSnapshot());
    await settle(page);
    await page.click('button[data-png="loss"]');
    await page.click('#export-csv');
    await page.click('#export-json');
    await page.locator('tr[data-run="adam"] button[data-copy="cli"]').click();
    await page.locator('tr[data-run="momentum"] button[data-copy="torch"]').click();
    const msgs = await posted(page);
    const files = msgs.filter((m): m is Extract<WebviewToHost, { type: 'exportFile' }> => m.type === 'exportFile');
    const png = files.find((f) => f.format === 'png');
    assert.ok(png && png.content.startsWith('data:image/png;base64,'), 'png data URL');
    const bytes = Buffer.from(png.content.split(',')[1], 'base64');
    assert.ok(bytes.length > 5000 && bytes.subarray(1, 4).toString() === 'PNG', `png of ${bytes.length} bytes`);
    const runs = scenarioRuns();
    const csv = files.find((f) => f.format === 'csv');
    assert.equal(csv?.content.trim().split('\n').length, 1 + runs.reduce((n, r) => n + r.steps.length, 0));
    const json = JSON.parse(files.find((f) => f.format === 'json')!.content) as { runs: { runId: string; steps: unknown[] }[] };
    assert.deepEqual(json.runs.map((r) => r.runId), runs.map((r) => r.runId));
    const copies = msgs.filter((m): m is Extract<WebviewToHost, { type: 'copy' }> => m.type === 'copy');
    assert.equal(copies[0].what, 'cli');
    assert.equal(copies[0].text,
      'optlab run /work/examples/rosenbrock.ts --objective rosenbrock --optimizer adam --lr 0.02 --steps 2000 '
      + '--hp betas=0.9,0.999 --hp eps=1e-8 --hp weight_decay=0 --hp amsgrad=false --seed 0');
    assert.equal(copies[1].what, 'torch');
    assert.match(copies[1].text, /opt = torch\.optim\.SGD\(\[x\], lr=0\.0005, momentum=0\.9, dampening=0, weight_decay=0, nesterov=False\)/);
    // The host writes what it receives: the same checks pass through the protocol schema.
    for (const m of msgs) assert.ok(webviewToHostSchema.safeParse(m).success, `valid ${m.type}`);
  });

  it('rejects an invalid message whole, with a console error', async () => {
    await send(page, { type: 'snapshot', version: 0, runs: [], ghosts: [], banner: null });
    const good = allEvents({ runId: 'g', optimizer: 'sgd', lr: 0.001, steps: 200 });
    await send(page, { type: 'events', events: good.slice(0, 2) });
    await settle(page);
    const before = (await counts(page)).loss['g:loss'];
    // The first event is valid, the second is not: nothing may be applied.
    const bad = { type: 'events', events: [good[2], { type: 'steps', runId: 'g', steps: [{ step: -1, loss: 'x' }] }] };
    await send(page, bad);
    await send(page, { type: 'nonsense' });
    await settle(page);
    assert.equal((await counts(page)).loss['g:loss'], before);
    const errors = await page.evaluate(() => (window as unknown as PageWindow).__consoleErrors);
    assert.equal(errors.filter((e) => e.includes('rejected message')).length, 2);
    assert.match(errors[0], /events\.1\./);
  });

  it('keeps view settings across a reload (getState/setState) and gets a fresh snapshot', async () => {
    await send(page, scenarioSnapshot());
    await settle(page);
    await page.selectOption('#view-x', 'evals');
    await page.locator('tr[data-run="momentum"] input[type="checkbox"]').uncheck();
    await settle(page);
    assert.equal((await counts(page)).loss['momentum:loss'], undefined, 'hidden run has no line');
    await page.reload();
    await page.waitForFunction(() => (window as unknown as PageWindow).__posted?.some((m) => m.type === 'ready'));
    await send(page, scenarioSnapshot());
    await settle(page);
    assert.equal(await page.inputValue('#view-x'), 'evals');
    assert.equal(await page.locator('tr[data-run="momentum"] input[type="checkbox"]').isChecked(), false);
    const c = await counts(page);
    assert.equal(c.loss['momentum:loss'], undefined);
    assert.equal(c.loss['adam:loss'], 2000);
  });

  it('sends run / compare / setLr / stop, and marks an lr change on the charts', async () => {
    await send(page, { type: 'snapshot', version: 0, runs: [], ghosts: [], banner: null, optimizers: builtIns('sgd', 'adam') });
    await page.selectOption('#ctl-optimizer', 'sgd');
    await page.fill('#ctl-steps', '300');
    await page.locator('#ctl-steps').dispatchEvent('change');
    await page.click('#ctl-run');
    await page.click('#ctl-compare');
    const running = allEvents({ runId: 'r1', optimizer: 'sgd', lr: 0.001, steps: 300 });
    await send(page, { type: 'events', events: running.slice(0, 2) });
    await settle(page);
    // Keyboard: focus the lr slider and press End (the maximum, 10^1), which commits a change.
    await page.focus('#ctl-lr');
    await page.keyboard.press('End');
    await page.locator('tr[data-run="r1"] button', { hasText: 'stop' }).click();
    const msgs = await posted(page);
    const run = msgs.find((m) => m.type === 'run');
    assert.deepEqual(run, { type: 'run', ask: { optimizer: { id: 'sgd', lr: 0.01, hp: {} }, steps: 300 } });
    assert.ok(msgs.some((m) => m.type === 'compare'));
    assert.deepEqual(msgs.find((m) => m.type === 'setLr'), { type: 'setLr', runId: 'r1', lr: 10 });
    assert.deepEqual(msgs.find((m) => m.type === 'stop'), { type: 'stop', runId: 'r1' });
    await send(page, { type: 'events', events: [{ type: 'lrChanged', runId: 'r1', step: 100, lr: 10 }, ...running.slice(2)] });
    await settle(page);
    const markers = await page.evaluate(() => (window as unknown as { optimizerLab: { chart(k: string): { markers(): unknown[] } } }).optimizerLab.chart('loss').markers());
    assert.deepEqual(markers.map((m) => (m as { x: number }).x), [100]);
  });

  it('works at a narrow width (no horizontal overflow of the page)', async () => {
    await page.setViewportSize({ width: 360, height: 800 });
    await send(page, scenarioSnapshot());
    await settle(page);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `page overflows by ${overflow}px`);
    const width = await page.locator('.card-loss canvas').evaluate((c) => (c as HTMLCanvasElement).clientWidth);
    assert.ok(width > 250 && width <= 360, `loss chart ${width}px wide`);
  });

  it('re-reads theme colours when VS Code switches theme', async () => {
    await send(page, scenarioSnapshot());
    await settle(page);
    const tickColour = () => page.evaluate(() => {
      const c = (window as unknown as PageWindow).optimizerLab.chart('loss').chart as unknown as { options: { scales: { x: { ticks: { color: string } } } } };
      return c.options.scales.x.ticks.color;
    });
    assert.equal(await tickColour(), '#9d9d9d');
    await page.evaluate(() => {
      document.documentElement.style.setProperty('--vscode-descriptionForeground', '#123456');
      document.body.className = 'vscode-light';
    });
    await settle(page);
    assert.equal(await tickColour(), '#123456');
  });
});

describe('static report page', function () {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  it('embeds the runs and the bundle and loads nothing from anywhere', async () => {
    const events: DashboardEvent[] = scenarioEvents();
    const html = renderReport(runsFromEvents(events), { title: 'Rosenbrock </script> report' });
    assert.ok(!/<script[^>]+src=/.test(html) && !/<link /.test(html), 'no external resources');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-report-')), 'report.html');
    fs.writeFileSync(file, html);
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`file://${file}`);
    await page.waitForSelector('table.runs');
    await settle(page);
    const c = await counts(page);
    assert.equal(c.loss['adam:loss'], 2000);
    assert.equal(c.curvature['adam:lmax'], runsFromEvents(events).find((r) => r.runId === 'adam')!.curvature.length);
    assert.deepEqual(requests, [`file://${file}`]);
    assert.deepEqual(errors, []);
    assert.equal(await page.locator('#ctl-run').count() === 0 || !(await page.locator('#ctl-run').isVisible()), true, 'no run controls in a report');
    assert.equal(await page.title(), 'Rosenbrock </script> report');
    await page.close();
  });
});
