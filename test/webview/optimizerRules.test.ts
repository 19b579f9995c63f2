/**
 * Workspace optimizer rules in the dashboard: the optimizer menu lists them
 * beside the built-ins, choosing one asks the host for a run with `rule`, the
 * menu follows rule changes, and a rule's run is labelled with its name.
 */
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { DashboardEvent, RuleOption } from '../../src/protocol/webview';
import { cliCommand } from '../../webview/exports/cliCommand';
import { torchSnippet } from '../../webview/exports/torchSnippet';
import { runsFromEvents } from '../../src/protocol/runHistory';
import { builtIns } from './harness/catalogue';
import { useDashboardPage } from './harness/dashboardSuite';
import { allEvents } from './harness/eventStream';
import { posted, send, settle } from './harness/pageDriver';

const optimizers = builtIns('sgd', 'adam');
const lion: RuleOption = { name: 'lion', file: '/w/rules/lion.ts', label: 'rules/lion.ts', summary: 'Lion: sign momentum', defaultLr: 1e-4 };
const myAdam: RuleOption = { name: 'myAdam', file: '/w/adam.ts', label: 'adam.ts' };
const snapshot = (rules: RuleOption[]) => ({
  type: 'snapshot', version: 0, runs: [], ghosts: [], banner: null, optimizers, rules,
  target: { file: '/w/bowl.ts', objective: 'bowl' },
});

/** A finished run whose optimizer is the workspace rule `lion` (the runner's meta names its file). */
function lionRunEvents(): DashboardEvent[] {
  return allEvents({ runId: 'lion-run', optimizer: 'adam', lr: 1e-4, steps: 120 }).map((e) =>
    e.type === 'started' ? { ...e, meta: { ...e.meta, optimizer: { id: 'lion', lr: 1e-4, hp: { beta1: 0.9, beta2: 0.99 }, file: '/w/rules/lion.ts' } } } : e);
}

describe('dashboard optimizer menu with workspace rules (headless Chromium)', function () {
  const suite = useDashboardPage({ failOnPageErrors: true });
  let page: Page;
  beforeEach(() => {
    page = suite.page;
  });

  it('lists the workspace rules under the built-ins, and choosing one posts a run request with the rule', async () => {
    await send(page, snapshot([lion, myAdam]));
    await settle(page);
    const groups = await page.locator('#ctl-optimizer optgroup').evaluateAll((gs) => gs.map((g) => ({
      label: g.getAttribute('label'), options: Array.from(g.querySelectorAll('option'), (o) => o.textContent),
    })));
    const [sgd, adam] = optimizers;
    assert.notEqual(sgd.family, adam.family);
    assert.deepEqual(groups, [
      { label: sgd.family, options: ['sgd'] },
      { label: adam.family, options: ['adam'] },
      { label: 'workspace rules', options: ['lion (rules/lion.ts)', 'myAdam (adam.ts)'] },
    ]);
    // A built-in's tooltip says what it does and what it follows; the closed menu's tooltip follows the choice.
    assert.equal(await page.locator('#ctl-optimizer option[value="adam"]').getAttribute('title'), `${adam.summary} — torch.optim.Adam`);
    assert.equal(await page.locator('#ctl-optimizer option', { hasText: 'lion' }).getAttribute('title'), 'Lion: sign momentum');
    await page.selectOption('#ctl-optimizer', 'sgd');
    assert.equal(await page.getAttribute('#ctl-optimizer', 'title'), `${sgd.summary} — ${sgd.reference}`);
    await page.selectOption('#ctl-optimizer', { label: 'lion (rules/lion.ts)' });
    await page.click('#ctl-run');
    await page.click('#ctl-compare');
    const msgs = await posted(page);
    const run = msgs.find((m) => m.type === 'run');
    assert.deepEqual(run, { type: 'run', ask: { optimizer: { id: 'lion', rule: { file: '/w/rules/lion.ts' }, lr: 0.01, hp: {} }, steps: 500 } });
    const compare = msgs.find((m) => m.type === 'compare');
    assert.deepEqual(compare?.type === 'compare' && compare.ask.optimizer.rule, { file: '/w/rules/lion.ts' });
    // A built-in still asks without a rule.
    await page.selectOption('#ctl-optimizer', 'sgd');
    await page.click('#ctl-run');
    const last = (await posted(page)).filter((m) => m.type === 'run').pop();
    assert.deepEqual(last?.type === 'run' && last.ask.optimizer, { id: 'sgd', lr: 0.01, hp: {} });
  });

  it('follows rule changes without losing the choice, and says so when the chosen rule is gone', async () => {
    await send(page, snapshot([]));
    await settle(page);
    assert.equal(await page.locator('#ctl-optimizer optgroup[label="workspace rules"]').count(), 0, 'no rules: families only');
    await send(page, { type: 'rules', rules: [lion] });
    await settle(page);
    await page.selectOption('#ctl-optimizer', { label: 'lion (rules/lion.ts)' });
    await send(page, { type: 'rules', rules: [lion, myAdam] });
    await settle(page);
    assert.equal(await page.locator('#ctl-optimizer option:checked').innerText(), 'lion (rules/lion.ts)', 'the choice survives a new rule list');
    await send(page, { type: 'rules', rules: [myAdam] });
    await settle(page);
    assert.equal(await page.locator('#ctl-optimizer option:checked').innerText(), 'lion (rule, not found now)');
  });

  it('labels a rule\'s run with the rule\'s name and copies it as `--optimizer FILE#NAME`', async () => {
    await send(page, snapshot([lion]));
    await send(page, { type: 'events', events: lionRunEvents() });
    await settle(page);
    const row = page.locator('tr[data-run="lion-run"]');
    assert.match(await row.innerText(), /\blion lr=1\.00e-4\s+beta1=0\.9 beta2=0\.99/);
    assert.match(await row.locator('td.status').innerText(), /done/);
    await row.locator('button[data-copy="cli"]').click();
    const copy = (await posted(page)).find((m) => m.type === 'copy');
    assert.match(copy?.type === 'copy' ? copy.text : '', /--optimizer '\/w\/rules\/lion\.ts#lion' /);
  });

  it('export helpers: a rule has no torch.optim class, the snippet says where it lives', () => {
    const [run] = runsFromEvents(lionRunEvents());
    const snippet = torchSnippet(run);
    assert.match(snippet, /opt = Lion\(\[x\], lr=0\.0001, beta1=0\.9, beta2=0\.99\)/);
    assert.match(snippet, /optimizer rule lion in \/w\/rules\/lion\.ts/);
    assert.doesNotMatch(snippet, /torch\.optim\.lion/);
    assert.match(cliCommand(run, '/w/bowl.ts'), /--optimizer '\/w\/rules\/lion\.ts#lion' --lr 0\.0001/);
  });
});
