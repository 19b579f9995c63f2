import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { runsFromEvents } from '../../src/protocol/runHistory';
import { parseReplayRecord, type ReplayRecord } from '../../src/protocol/replayRecord';
import type { DashboardEvent, RunSnapshot } from '../../src/protocol/webview';
import { renderReport } from '../../src/report/renderReport';
import { launchChromium } from './harness/browser';
import { useDashboardPage } from './harness/dashboardSuite';
import { posted, send, settle } from './harness/pageDriver';
import { withState } from './replayEvents';

/** What a record must say of a run, from the run's own events. */
function expectedRecord(run: RunSnapshot): Pick<ReplayRecord, 'objective' | 'settings' | 'backend' | 'final'> {
  const m = run.meta!;
  return {
    objective: { name: m.objective, file: run.file!, sourceHash: m.sourceHash },
    settings: { optimizer: m.optimizer.id, lr: m.optimizer.lr, hp: m.optimizer.hp, ...(m.schedule && m.schedule !== 'constant' ? { schedule: m.schedule } : {}), steps: m.steps, seed: m.seed },
    backend: m.backend,
    final: { loss: run.done!.final.loss, steps: run.steps.length },
  };
}

function recordIn(text: string): ReplayRecord {
  const parsed = parseReplayRecord(text);
  assert.ok('record' in parsed, 'problem' in parsed ? parsed.problem : '');
  return parsed.record;
}

const pick = (r: ReplayRecord) => ({ objective: r.objective, settings: r.settings, backend: r.backend, final: r.final });

describe('share: the replay record', function () {
  const suite = useDashboardPage({ failOnPageErrors: true });

  it('"share" in the runs table copies a link whose record holds the run\'s source hash, settings, seed, backend and final loss', async () => {
    const { page } = suite;
    const events = withState({ runId: 'adam', optimizer: 'adam', lr: 0.02, steps: 80 });
    await send(page, { type: 'snapshot', version: 0, runs: [], ghosts: [], banner: null });
    await send(page, { type: 'events', events });
    await settle(page);
    await page.locator('tr[data-run="adam"] button[data-copy="replay"]').click();
    const copy = (await posted(page)).find((m) => m.type === 'copy');
    assert.ok(copy?.type === 'copy' && copy.what === 'replay');
    assert.match(copy.text, /^optimizer-lab-replay:[A-Za-z0-9_-]+$/);
    const [run] = runsFromEvents(events);
    assert.deepEqual(pick(recordIn(copy.text)), expectedRecord(run));
    assert.match(await page.locator('.sr-status').innerText(), /replay record copied/);
  });
});

describe('share: the HTML report carries the replay', function () {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  it('the report replays the run (positions at given steps are the run\'s parameters) and its "share" gives the same record', async () => {
    const events: DashboardEvent[] = withState({ runId: 'adam', optimizer: 'adam', lr: 0.02, steps: 120 });
    const [run] = runsFromEvents(events);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-share-')), 'report.html');
    fs.writeFileSync(file, renderReport([run], { title: 'share' }));
    const page = await browser.newPage();
    // The report copies with the page's clipboard: keep what it writes.
    await page.addInitScript(() => {
      const w = window as unknown as { copied: string[] };
      w.copied = [];
      Clipboard.prototype.writeText = (t: string) => (w.copied.push(t), Promise.resolve());
    });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`file://${file}`);
    await page.waitForSelector('table.runs');
    await settle(page);
    const scrubber = page.locator('section[data-chart="trajectory"] input.replay-step');
    assert.equal(await scrubber.isVisible(), true, 'the replay is on the report\'s trajectory card');
    assert.equal(await scrubber.getAttribute('max'), '120');
    for (const k of [0, 45, 119]) {
      await scrubber.fill(String(k));
      const shown = await page.evaluate(() => (window as unknown as { optimizerLab: { replay: { frames(): { params: number[] }[] } } }).optimizerLab.replay.frames()[0].params);
      assert.deepEqual(shown, run.steps[k].params, `step ${k}`);
    }
    await page.locator('tr[data-run="adam"] button[data-copy="replay"]').click();
    const copied = await page.evaluate(() => (window as unknown as { copied: string[] }).copied);
    assert.equal(copied.length, 1);
    assert.deepEqual(pick(recordIn(copied[0])), expectedRecord(run));
    assert.deepEqual(errors, []);
    await page.close();
  });
});
