import { strict as assert } from 'node:assert';
import { findSites } from '../../../src/host/discovery/findSites';
import { ruleLenses, type RuleLensInputs } from '../../../src/host/ruleLensModel';
import type { RunSnapshot } from '../../../src/protocol/webview';
import { LION_RULE } from './ruleFixtures';

const TWO_RULES = `${LION_RULE}
const helper = 1;
export const sgdByHand = { defaults: { lr: 0.1 }, init: () => ({}), update: (g, s, p, hp) => ({ param: p.sub(g.mul(hp.lr)), state: s }) };
const hidden = { defaults: { lr: 0.1 }, init: () => ({}), update: (g, s, p) => ({ param: p, state: s }) };
`;

const inputs = (over: Partial<RuleLensInputs> = {}): RuleLensInputs => ({
  trusted: true, target: { file: '/w/bowl.ts', objective: 'bowl' }, lastRun: () => undefined, ...over,
});

const finished = (loss: number): RunSnapshot => ({
  runId: 'r1', steps: [{ step: 0, loss: 1, gradNorm: 1, updateNorm: 1, lr: 1e-4, evals: 1, wallMs: 0 }, { step: 199, loss, gradNorm: 1, updateNorm: 1, lr: 1e-4, evals: 200, wallMs: 9 }],
  curvature: [], lrChanges: [],
  done: { type: 'done', runId: 'r1', status: 'completed', final: { loss, gradNorm: 0.1, params: [1, 2] }, stepsPerSecond: 100, wallMs: 9, evals: 200 },
});

describe('rule lenses (ruleLensModel)', () => {
  it('puts ▶ Try on <objective> and Compare with adam above every exported rule, at its line, with the rule name', () => {
    const sites = findSites(TWO_RULES).rules;
    const lenses = ruleLenses(sites, inputs());
    assert.deepEqual(lenses.map((l) => [l.title, l.command, l.rule, l.withRule]), [
      ['▶ Try on bowl', 'optimizerLab.tryRule', 'lion', true],
      ['Compare with adam', 'optimizerLab.compareRule', 'lion', true],
      ['▶ Try on bowl', 'optimizerLab.tryRule', 'sgdByHand', true],
      ['Compare with adam', 'optimizerLab.compareRule', 'sgdByHand', true],
      ['⚠ Cannot run: \'hidden\' is not exported: the runner only sees exported rules (add `export`)', '', 'hidden', false],
    ]);
    const lines = TWO_RULES.split('\n');
    assert.match(lines[lenses[0].line], /^export const lion/);
    assert.match(lines[lenses[2].line], /^export const sgdByHand/);
    assert.match(lines[lenses[4].line], /^const hidden/);
  });

  it('carries the last result of the rule in the Try lens', () => {
    const lenses = ruleLenses(findSites(LION_RULE).rules, inputs({ lastRun: (rule) => (rule === 'lion' ? finished(3.1e-6) : undefined) }));
    assert.equal(lenses[0].title, '▶ Try on bowl · 3.1e-6 after 200 steps');
    assert.equal(lenses[1].title, 'Compare with adam');
  });

  it('says so when the workspace has no objective, and shows a lock when untrusted', () => {
    const none = ruleLenses(findSites(LION_RULE).rules, inputs({ target: undefined }));
    assert.equal(none.length, 1);
    assert.match(none[0].title, /no objective in the workspace/);
    assert.equal(none[0].command, 'optimizerLab.tryRule', 'clicking explains and offers New objective file');
    const locked = ruleLenses(findSites(LION_RULE).rules, inputs({ trusted: false }));
    assert.deepEqual(locked.map((l) => [l.command, l.withRule]), [['workbench.trust.manage', false]]);
    assert.match(locked[0].title, /trust this workspace/);
  });
});
