import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { DashboardEvent } from '../../src/protocol/webview';
import { useDashboardPage } from './harness/dashboardSuite';
import { type PageWindow, send, settle } from './harness/pageDriver';
import { sinLine, sinRun, withState } from './replayEvents';
import { readStoredZip } from './storedZipReader';

interface ReplayApi {
  step: number;
  lastStep: number;
  frames(): { runId: string; step: number; params: number[]; loss: number; grad?: number[]; effectiveStep?: number[] }[];
}
type ReplayWindow = PageWindow & { optimizerLab: { replay: ReplayApi; chart(k: string): { chart: unknown } } };

/** params of each run's record at step k, from the events themselves (the final params past the last record). */
function paramsAt(events: DashboardEvent[], runId: string, k: number): number[] {
  const steps = events.flatMap((e) => (e.type === 'steps' && e.runId === runId ? e.steps : []));
  const record = steps.find((s) => s.step === k);
  if (record?.params) return record.params;
  const done = events.find((e): e is Extract<DashboardEvent, { type: 'done' }> => e.type === 'done' && e.runId === runId);
  return done?.final.params ?? [];
}

describe('trajectory replay', function () {
  const suite = useDashboardPage({ failOnPageErrors: true });
  let page: Page;
  beforeEach(async () => {
    page = suite.page;
    await send(page, { type: 'snapshot', version: 0, runs: [], ghosts: [], banner: null });
  });
  const scrubber = () => page.locator('section[data-chart="trajectory"] input.replay-step');
  const frames = () => page.evaluate(() => (window as unknown as ReplayWindow).optimizerLab.replay.frames());
  /** The canvas colour at the pixel where the chart puts (x, y), and the run's colour. */
  const pixelAt = (x: number, y: number) => page.evaluate(([px, py]) => {
    const c = (window as unknown as ReplayWindow).optimizerLab.chart('trajectory').chart as unknown as {
      canvas: HTMLCanvasElement; currentDevicePixelRatio: number; scales: Record<string, { getPixelForValue(v: number): number }>;
    };
    const r = c.currentDevicePixelRatio;
    const d = c.canvas.getContext('2d')!.getImageData(Math.round(c.scales.x.getPixelForValue(px) * r), Math.round(c.scales.y.getPixelForValue(py) * r), 1, 1).data;
    return [d[0], d[1], d[2]];
  }, [x, y]);

  it('2 parameters: positions at given steps equal the runs\' parameters; runs of different lengths move in lockstep', async () => {
    const adam = withState({ runId: 'adam', optimizer: 'adam', lr: 0.02, steps: 300 });
    const momentum = withState({ runId: 'mom', optimizer: 'momentum', lr: 0.0005, steps: 200 });
    await send(page, { type: 'events', events: [...adam, ...momentum] });
    await settle(page);
    assert.equal(await scrubber().isVisible(), true);
    assert.equal(await scrubber().getAttribute('max'), '300', 'the longest run: 300 records, then its final point');
    for (const k of [0, 57, 199, 250, 300]) {
      await scrubber().fill(String(k));
      const shown = Object.fromEntries((await frames()).map((f) => [f.runId, f.params]));
      assert.deepEqual(shown.adam, paramsAt(adam, 'adam', k), `adam at step ${k}`);
      // The 200-step run holds its final point once it has ended.
      assert.deepEqual(shown.mom, paramsAt(momentum, 'mom', Math.min(k, 200)), `momentum at step ${k}`);
    }
    assert.match(await page.locator('.replay-label').innerText(), /step 300 \/ 300/);
  });

  it('draws the iterate in the run\'s colour where its parameters are', async () => {
    const adam = withState({ runId: 'adam', optimizer: 'adam', lr: 0.02, steps: 300 });
    await send(page, { type: 'events', events: adam });
    await settle(page);
    const before = await pixelAt(...(paramsAt(adam, 'adam', 120) as [number, number]));
    await scrubber().fill('120');
    await settle(page);
    const colour = await page.evaluate(() => getComputedStyle(document.body).getPropertyValue('--ol-run-1').trim());
    const [r, g, b] = await pixelAt(...(paramsAt(adam, 'adam', 120) as [number, number]));
    const hex = `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
    assert.equal(hex.toLowerCase(), colour.toLowerCase(), `the marker at step 120 (before it: ${before})`);
    const f = (await frames())[0];
    assert.ok(f.grad && f.effectiveStep, 'the streamed state reaches the overlay');
  });

  it('play runs to the end and stops; a live run is followed at the end', async () => {
    const adam = withState({ runId: 'adam', optimizer: 'adam', lr: 0.02, steps: 100, batch: 50 });
    const done = adam.pop() as DashboardEvent;
    const last = adam.pop() as DashboardEvent;
    await send(page, { type: 'events', events: adam });
    await settle(page);
    const at = () => page.evaluate(() => [(window as unknown as ReplayWindow).optimizerLab.replay.step, (window as unknown as ReplayWindow).optimizerLab.replay.lastStep]);
    assert.deepEqual(await at(), [49, 49], 'following the live run');
    await send(page, { type: 'events', events: [last, done] });
    await settle(page);
    assert.deepEqual(await at(), [100, 100]);
    await page.locator('.replay select').selectOption('4');
    await page.getByRole('button', { name: 'Play the replay' }).click();
    await page.waitForFunction(() => {
      const r = (window as unknown as ReplayWindow).optimizerLab.replay;
      return r.step === r.lastStep;
    }, undefined, { timeout: 30_000 });
    assert.equal(await page.locator('.replay button').first().getAttribute('aria-label'), 'Play the replay', 'stopped at the end');
  });

  it('WebM: the replay is recorded from the canvas, one frame per step (61 for 60 steps), and sent to the host to save', async () => {
    await send(page, { type: 'events', events: withState({ runId: 'adam', optimizer: 'adam', lr: 0.02, steps: 60 }) });
    await settle(page);
    await page.locator('.replay button', { hasText: 'WebM' }).click();
    await page.waitForFunction(() => (window as unknown as PageWindow).__posted.some((m) => m.type === 'exportFile'), undefined, { timeout: 60_000 });
    const saved = await page.evaluate(() => (window as unknown as PageWindow).__posted.find((m) => m.type === 'exportFile'));
    assert.ok(saved?.type === 'exportFile' && saved.format === 'webm' && saved.suggestedName.endsWith('.webm'));
    const bytes = Buffer.from(saved.content.replace(/^data:[^,]*;base64,/, ''), 'base64');
    assert.deepEqual([...bytes.subarray(0, 4)], [0x1a, 0x45, 0xdf, 0xa3], 'an EBML (WebM) file');
    assert.ok(bytes.length > 1000, `${bytes.length} bytes`);
    assert.match(await page.locator('.sr-status').innerText(), /replay recorded as WebM: 61 frames/);
    assert.equal(await page.evaluate(() => (window as unknown as ReplayWindow).optimizerLab.replay.step), 60, 'back where it was');
  });

  it('PNG frames: a zip of one PNG per step (61 for 60 steps, CRCs right) and frames.csv naming each frame\'s step', async () => {
    await send(page, { type: 'events', events: withState({ runId: 'adam', optimizer: 'adam', lr: 0.02, steps: 60 }) });
    await settle(page);
    await scrubber().fill('17');
    await page.locator('.replay button', { hasText: 'PNG frames' }).click();
    await page.waitForFunction(() => (window as unknown as PageWindow).__posted.some((m) => m.type === 'exportFile'), undefined, { timeout: 60_000 });
    const saved = await page.evaluate(() => (window as unknown as PageWindow).__posted.find((m) => m.type === 'exportFile'));
    assert.ok(saved?.type === 'exportFile' && saved.format === 'zip' && saved.suggestedName.endsWith('.zip'));
    const entries = readStoredZip(Buffer.from(saved.content.replace(/^data:[^,]*;base64,/, ''), 'base64'));
    const pngs = entries.filter((e) => e.name.endsWith('.png'));
    assert.equal(pngs.length, 61, 'steps 0..60');
    assert.equal(pngs[0].name, 'frame-0000.png');
    for (const e of pngs) assert.deepEqual([...e.bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${e.name} is a PNG`);
    assert.notDeepEqual(pngs[0].bytes, pngs[60].bytes, 'the first and last frames differ (the iterate moved)');
    const csv = entries.find((e) => e.name === 'frames.csv')?.bytes.toString('utf8').trim().split('\n') ?? [];
    assert.equal(csv.length, 62);
    assert.equal(csv[61], '60,60,frame-0060.png');
    assert.match(await page.locator('.sr-status').innerText(), /replay recorded as PNG frames: 61 frames/);
    assert.equal(await page.evaluate(() => (window as unknown as ReplayWindow).optimizerLab.replay.step), 17, 'back where it was');
  });

  it('1 parameter: the iterate moves on the curve (x, f(x)) with the gradient for the tangent', async () => {
    const { events, xs } = sinRun('sin', 0.5, 2, 40);
    await send(page, { type: 'events', events });
    await settle(page);
    assert.equal(await page.locator('section[data-chart="trajectory"]').getAttribute('data-mode'), 'curve');
    for (const k of [0, 7, 40]) {
      await scrubber().fill(String(k));
      const [f] = await frames();
      assert.deepEqual(f.params, [xs[k]]);
      assert.ok(Math.abs(f.loss - sinLine(xs[k])) < 1e-12);
      if (k < 40) assert.ok(Math.abs((f.grad?.[0] ?? NaN) - (1 + Math.cos(xs[k]))) < 1e-12, 'the tangent\'s slope');
    }
  });
});
