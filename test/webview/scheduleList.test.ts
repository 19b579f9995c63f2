/**
 * The schedule field offers the workspace's schedule functions (FILE#NAME,
 * sent by the host) and the spec grammar's names in a datalist; choosing a
 * function asks the host for a run with that schedule.
 */
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { scheduleNames } from '../../src/core/schedules/scheduleKinds';
import type { ScheduleOption } from '../../src/protocol/webview';
import { SCHEDULE_SPEC_NAMES } from '../../webview/scheduleList';
import { builtIns } from './harness/catalogue';
import { useDashboardPage } from './harness/dashboardSuite';
import { posted, send, settle } from './harness/pageDriver';

const warmup: ScheduleOption = { name: 'warmup', file: '/w/sched/warm.ts', label: 'sched/warm.ts', form: 'factor' };
const decay: ScheduleOption = { name: 'decay', file: '/w/decay.ts', label: 'decay.ts', form: 'lr' };
const snapshot = (schedules: ScheduleOption[]) => ({
  type: 'snapshot', version: 0, runs: [], ghosts: [], banner: null, optimizers: builtIns('sgd', 'adam'), rules: [], schedules,
  target: { file: '/w/bowl.ts', objective: 'bowl' },
});

const listed = (page: Page): Promise<string[]> =>
  page.locator('#ctl-schedule-list option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));

describe('dashboard schedule field with workspace schedule functions (headless Chromium)', function () {
  const suite = useDashboardPage({ failOnPageErrors: true });
  let page: Page;
  beforeEach(() => {
    page = suite.page;
  });

  it('hints every name the spec grammar knows', () => {
    assert.deepEqual([...SCHEDULE_SPEC_NAMES].sort(), [...scheduleNames].sort());
  });

  it('lists the workspace schedule functions as FILE#NAME before the built-in names, and choosing one asks for it', async () => {
    await send(page, snapshot([warmup, decay]));
    await settle(page);
    assert.equal(await page.getAttribute('#ctl-schedule', 'list'), 'ctl-schedule-list');
    assert.deepEqual(await listed(page), ['sched/warm.ts#warmup', 'decay.ts#decay', ...SCHEDULE_SPEC_NAMES]);
    assert.equal(await page.locator('#ctl-schedule-list option[value="decay.ts#decay"]').getAttribute('label'), 'workspace · (step, lr) => lr');

    await page.fill('#ctl-schedule', 'sched/warm.ts#warmup');
    await page.press('#ctl-schedule', 'Tab');
    await page.click('#ctl-run');
    const run = (await posted(page)).filter((m) => m.type === 'run').pop();
    assert.equal(run?.type === 'run' && run.ask.schedule, 'sched/warm.ts#warmup');
  });

  it('follows the host\'s schedule list as the workspace changes, keeping what the user typed', async () => {
    await send(page, snapshot([]));
    await settle(page);
    assert.deepEqual(await listed(page), [...SCHEDULE_SPEC_NAMES]);
    await page.fill('#ctl-schedule', 'cosine:T_max=100');
    await page.press('#ctl-schedule', 'Tab');
    await send(page, { type: 'schedules', schedules: [decay] });
    await settle(page);
    assert.deepEqual((await listed(page)).slice(0, 1), ['decay.ts#decay']);
    assert.equal(await page.inputValue('#ctl-schedule'), 'cosine:T_max=100');
    assert.match(await page.getAttribute('#ctl-schedule', 'title') ?? '', /1 in the workspace/);
  });
});
